/** auth's data access for address confirmations: hashes and dates only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { SignupVerification } from '../../generated/prisma/client.ts';

export type { SignupVerification };

export const verificationsRepo = {
  find: (db: Db | Tx, signupId: string) => db.signupVerification.findUnique({ where: { signupId } }),
  /** A new token for this signup (a retried mail replaces the one before, which was never delivered). */
  put: (db: Db | Tx, row: { signupId: string; tokenHash: string; expiresAt: Date }) =>
    db.signupVerification.upsert({
      where: { signupId: row.signupId },
      create: row,
      update: { tokenHash: row.tokenHash, expiresAt: row.expiresAt },
    }),
  markMailed: (db: Db | Tx, signupId: string, at: Date) => db.signupVerification.update({ where: { signupId }, data: { mailedAt: at } }),
  /** Confirms once: the second caller updates nothing. */
  confirm: (db: Db | Tx, signupId: string, at: Date) =>
    db.signupVerification.updateMany({ where: { signupId, confirmedAt: null }, data: { confirmedAt: at } }),
  unconfirm: (db: Db | Tx, signupId: string) => db.signupVerification.updateMany({ where: { signupId }, data: { confirmedAt: null } }),
};

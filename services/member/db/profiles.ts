/** member's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { Profile } from '../../generated/prisma/client.ts';

export type { Profile };

export const profilesRepo = {
  findBySignup: (tx: Tx | Db, signupId: string) => tx.profile.findUnique({ where: { signupId } }),
  findByMember: (db: Db, memberId: string) => db.profile.findUnique({ where: { memberId } }),
  insert: (tx: Tx | Db, profile: Pick<Profile, 'memberId' | 'signupId' | 'nickname' | 'role' | 'favoriteStyles'>) =>
    tx.profile.create({ data: profile }),
  deleteBySignup: (db: Db, signupId: string) => db.profile.deleteMany({ where: { signupId } }),
  /** Replaces what identifies the person; 0 rows when already erased (or no such member). */
  anonymise: (tx: Tx, memberId: string, placeholder: string) =>
    tx.profile.updateMany({
      where: { memberId, NOT: { nickname: placeholder } },
      data: { nickname: placeholder, favoriteStyles: [], active: false },
    }),
  activate: (tx: Tx, signupId: string) => tx.profile.updateMany({ where: { signupId, active: false }, data: { active: true } }),
};

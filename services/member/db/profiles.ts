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
  activate: (tx: Tx, signupId: string) => tx.profile.updateMany({ where: { signupId, active: false }, data: { active: true } }),
};

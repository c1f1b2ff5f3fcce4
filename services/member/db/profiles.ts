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
  /** Removes what identifies the person and marks the erasure; 0 rows when already erased (or no such member). */
  erase: (tx: Tx, memberId: string, at: Date) =>
    tx.profile.updateMany({
      where: { memberId, erasedAt: null },
      data: { nickname: null, favoriteStyles: [], active: false, erasedAt: at },
    }),
  activate: (tx: Tx, signupId: string) =>
    tx.profile.updateMany({ where: { signupId, active: false, erasedAt: null }, data: { active: true } }),
};

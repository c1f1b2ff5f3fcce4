/** rental's data access: its own models only. */
import type { Db } from '../../platform/db.ts';

export const cardsRepo = {
  open: (db: Db, memberId: string) => db.rentalCard.upsert({ where: { memberId }, create: { memberId }, update: {} }),
  close: (db: Db, memberId: string) => db.rentalCard.deleteMany({ where: { memberId } }),
  find: (db: Db, memberId: string) => db.rentalCard.findUnique({ where: { memberId } }),
};

/** auth's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { Credential, SignupApplication } from '../../generated/prisma/client.ts';

export type { Credential, SignupApplication };
export type NewApplication = Omit<SignupApplication, 'createdAt'>;

export const credentialsRepo = {
  stageApplication: (db: Db, application: NewApplication) =>
    db.signupApplication.upsert({ where: { signupId: application.signupId }, create: application, update: {} }),
  findApplication: (tx: Tx, signupId: string) => tx.signupApplication.findUnique({ where: { signupId } }),
  deleteApplication: (tx: Tx, signupId: string) => tx.signupApplication.deleteMany({ where: { signupId } }),
  findBySignup: (tx: Tx | Db, signupId: string) => tx.credential.findUnique({ where: { signupId } }),
  findByEmail: (db: Tx | Db, email: string) => db.credential.findUnique({ where: { email } }),
  findByMember: (db: Db | Tx, memberId: string) => db.credential.findUnique({ where: { memberId } }),
  insert: (tx: Tx, credential: Omit<Credential, 'createdAt'>) => tx.credential.create({ data: credential }),
  deleteBySignup: (tx: Tx, signupId: string) => tx.credential.deleteMany({ where: { signupId } }),
  /** Never the admin account: it comes from configuration. */
  deleteByMember: (db: Db | Tx, memberId: string) => db.credential.deleteMany({ where: { memberId, role: { not: 'ADMIN' } } }),
  setPassword: (tx: Tx, memberId: string, passwordHash: string) => tx.credential.update({ where: { memberId }, data: { passwordHash } }),
  activate: (tx: Tx, signupId: string) => tx.credential.updateMany({ where: { signupId, status: 'PENDING' }, data: { status: 'ACTIVE' } }),
  /** Inserts the admin account unless one with its email or id exists; true when this call created it. */
  createAdmin: async (db: Db, admin: Omit<Credential, 'createdAt' | 'signupId'>) =>
    (await db.credential.createMany({ data: [{ ...admin, signupId: null }], skipDuplicates: true })).count === 1,
};

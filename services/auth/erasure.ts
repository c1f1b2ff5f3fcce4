import type { Db } from '../platform/db.ts';
import { credentialsRepo } from './db/credentials.ts';
import { sessionsRepo } from './db/sessions.ts';

/**
 * Erasure: the credentials (email, name, phone, birth date, password hash) are
 * deleted, and with them, in the same transaction, every session of the member:
 * its tokens answer 401 on every route from the commit on. Idempotent. Never the
 * admin account (it comes from configuration).
 */
export async function eraseCredentials(db: Db, input: { memberId: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const credential = await credentialsRepo.findByMember(tx, input.memberId);
    if (credential?.role === 'ADMIN') return;
    await credentialsRepo.deleteByMember(tx, input.memberId);
    await sessionsRepo.deleteMember(tx, input.memberId);
  });
}

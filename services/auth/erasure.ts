import type { Db } from '../platform/db.ts';
import { credentialsRepo } from './db/credentials.ts';

/** Erasure: the credentials (email, name, phone, birth date, password hash) are deleted. Idempotent. */
export async function eraseCredentials(db: Db, input: { memberId: string }): Promise<void> {
  await credentialsRepo.deleteByMember(db, input.memberId);
}

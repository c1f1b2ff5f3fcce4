/**
 * The one way a mail reaches a member: auth looks the address up by member id
 * at the moment of sending and hands it to the SMTP server. Other services
 * (notifications) render the mail and name the member; the address never
 * leaves auth's table and this call, and is never logged.
 */
import type { Db } from '../platform/db.ts';
import type { Mail, Mailer } from '../platform/mailer.ts';
import { credentialsRepo } from './db/credentials.ts';

export type Delivery = 'SENT' | 'NO_ADDRESS';

export async function deliverToMember(db: Db, mailer: Mailer, memberId: string, mail: Omit<Mail, 'to'>): Promise<Delivery> {
  const credential = await credentialsRepo.findByMember(db, memberId);
  // Erased (credentials deleted) or not active yet: nobody to write to.
  if (credential?.status !== 'ACTIVE') return 'NO_ADDRESS';
  await mailer.send({ ...mail, to: credential.email });
  return 'SENT';
}

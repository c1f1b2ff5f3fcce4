/**
 * The one way a mail reaches a member: auth looks the address up by member id
 * at the moment of sending and hands it to the SMTP server. Other services
 * (notifications) render the mail and name the member; the address never
 * leaves auth's table and this call, and is never logged.
 *
 * The caller's connection may be another service's role (the notifications
 * consumer's): it reads the address through auth's one door, the function
 * `auth.member_mail_address` (owner's rights, EXECUTE granted to the
 * notifications role only; scripts/db/roles.ts), never auth's tables.
 */
import type { Db, Tx } from '../platform/db.ts';
import type { Mail, Mailer } from '../platform/mailer.ts';

export type Delivery = 'SENT' | 'NO_ADDRESS';

export async function deliverToMember(db: Db | Tx, mailer: Mailer, memberId: string, mail: Omit<Mail, 'to'>): Promise<Delivery> {
  const [row] = await db.$queryRaw<{ address: string | null }[]>`SELECT "auth".member_mail_address(${memberId}::uuid) AS address`;
  // Erased (credentials deleted) or not active yet: nobody to write to.
  if (!row?.address) return 'NO_ADDRESS';
  await mailer.send({ ...mail, to: row.address });
  return 'SENT';
}

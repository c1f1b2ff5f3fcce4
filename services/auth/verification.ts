/**
 * Signup address confirmation. auth mails a one-time link to the address of a
 * staged signup and keeps only the SHA-256 of the token; the link's route checks
 * it and lets the waiting saga go on. The token is in the mail alone: never in a
 * workflow history (the activity's input and result carry none), an event or a log.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import type { Mailer } from '../platform/mailer.ts';
import { credentialsRepo } from './db/credentials.ts';
import { verificationsRepo } from './db/verifications.ts';
import { addressTakenMail, confirmationMail } from './verification-mails.ts';

export const verifyPath = (signupId: string): string => `/signups/${signupId}/verify`;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface VerificationDeps {
  db: Db;
  mailer: Mailer;
  /** The base of the link in the mail (PUBLIC_BASE_URL). */
  baseUrl: string;
}

/**
 * Mails the confirmation link, or, when the address already has an account, a
 * mail saying so (and no link: that signup can only run out). Either way the
 * saga sees the same empty answer. Idempotent: once mailed, a retry does nothing.
 */
export async function requestConfirmation(
  deps: VerificationDeps,
  input: { signupId: string; expiresInSeconds: number },
  now = new Date(),
): Promise<void> {
  const { db, mailer } = deps;
  const existing = await verificationsRepo.find(db, input.signupId);
  if (existing?.mailedAt) return;
  const application = await credentialsRepo.findApplication(db, input.signupId);
  if (!application) return; // undone already: nothing to confirm, the saga's timer ends it
  const token = randomBytes(32).toString('base64url');
  await verificationsRepo.put(db, {
    signupId: input.signupId,
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + input.expiresInSeconds * 1000),
  });
  const taken = await credentialsRepo.findByEmail(db, application.email);
  const link = `${deps.baseUrl}${verifyPath(input.signupId)}?token=${token}`;
  const mail = taken ? addressTakenMail(application.name, deps.baseUrl) : confirmationMail(application.name, link, input.expiresInSeconds);
  await mailer.send({ to: application.email, ...mail });
  await verificationsRepo.markMailed(db, input.signupId, new Date());
}

/**
 * Checks a mailed token. A wrong token and an unknown signup get the same answer;
 * a second confirmation and a late one are refused and change nothing.
 * Returns an undo for when the saga can no longer take the confirmation.
 */
export async function confirmAddress(
  db: Db,
  input: { signupId: string; token: string },
  now = new Date(),
): Promise<{ undo: () => Promise<void> }> {
  const row = await verificationsRepo.find(db, input.signupId);
  if (!row || !sameHash(row.tokenHash, hashToken(input.token))) {
    throw new AppError('VERIFICATION_TOKEN_INVALID', 'this confirmation link is not valid');
  }
  if (row.confirmedAt) throw new AppError('ALREADY_CONFIRMED', 'this address is confirmed already');
  if (row.expiresAt.getTime() <= now.getTime())
    throw new AppError('VERIFICATION_EXPIRED', 'this confirmation link has expired; sign up again');
  const { count } = await verificationsRepo.confirm(db, input.signupId, now);
  if (count === 0) throw new AppError('ALREADY_CONFIRMED', 'this address is confirmed already');
  return { undo: async () => void (await verificationsRepo.unconfirm(db, input.signupId)) };
}

function sameHash(stored: string, presented: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(presented, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

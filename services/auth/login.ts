import { AppError, RetryLaterError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { TokenRefused, verifyHs256 } from './domain/hs256.ts';
import { DECOY_HASH, hashPassword, verifyPassword } from './domain/password.ts';
import { credentialsRepo } from './db/credentials.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { openSession, type Grant } from './sessions.ts';
import { ZPrincipal, type TokenOptions, type TPrincipal } from './tokens.ts';

export { ZPrincipal, ZRole, type SessionCheck, type TokenOptions, type TPrincipal } from './tokens.ts';
export type { Grant } from './sessions.ts';

/** Same error, same cost, for an unknown email and a wrong password. A success opens a session. */
export async function login(
  db: Db,
  tokens: TokenOptions,
  email: string,
  password: string,
  options: { now?: Date; lifetimeSeconds?: number } = {},
): Promise<Grant & { sessionId: string }> {
  const credential = await credentialsRepo.findByEmail(db, email.toLowerCase());
  const valid = await verifyPassword(password, credential?.passwordHash ?? (await DECOY_HASH));
  if (!credential || !valid || credential.status !== 'ACTIVE') {
    throw new AppError('INVALID_CREDENTIALS', 'email or password is wrong');
  }
  return openSession(db, tokens, { memberId: credential.memberId, role: credential.role }, options);
}

export class LoginRateLimited extends RetryLaterError {
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many failed logins; try again in ${retryAfterSeconds} s`, retryAfterSeconds);
  }
}

/** `login` behind the rate limit (login-throttle.ts): over it, even the right password answers RATE_LIMITED. */
export async function throttledLogin(
  db: Db,
  tokens: TokenOptions,
  throttle: LoginThrottle,
  attempt: { email: string; password: string; address: string },
  options: { lifetimeSeconds?: number } = {},
): Promise<Grant & { sessionId: string }> {
  const started = await throttle.begin(attempt.email, attempt.address);
  if (started.limited) throw new LoginRateLimited(started.retryAfterSeconds);
  try {
    const grant = await login(db, tokens, attempt.email, attempt.password, options);
    await started.succeeded();
    return grant;
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'INVALID_CREDENTIALS')) await started.withdraw();
    throw error;
  }
}

/** The principal of a bearer token whose signature holds, that has not expired, and whose session is live (one lookup). */
export async function verifyToken(tokens: TokenOptions, token: string): Promise<TPrincipal> {
  let principal: TPrincipal;
  try {
    const claims = verifyHs256(token, tokens.secret);
    principal = ZPrincipal.parse({ memberId: claims.sub, role: claims.role, sessionId: claims.sid });
  } catch (error) {
    throw new AppError('UNAUTHORIZED', tokenRefusal(error));
  }
  if (!(await tokens.sessions.isLive(principal.sessionId, principal.memberId))) {
    throw new AppError(
      'UNAUTHORIZED',
      'the session of this token has ended (logged out, password changed, revoked or erased); log in again',
    );
  }
  return principal;
}

/** Says why a token was refused, never echoing it: forged, expired, or not a token of ours at all. */
function tokenRefusal(error: unknown): string {
  const reason = error instanceof TokenRefused ? error.reason : 'MALFORMED';
  if (reason === 'SIGNATURE') return 'the bearer token has an invalid signature';
  if (reason === 'EXPIRED') return 'the bearer token has expired';
  if (reason === 'NOT_YET_VALID') return 'the bearer token is not valid yet';
  return 'the bearer token is malformed';
}

export async function findAccount(db: Db, memberId: string): Promise<{ email: string; role: string } | null> {
  const credential = await credentialsRepo.findByMember(db, memberId);
  return credential && credential.status === 'ACTIVE' ? { email: credential.email, role: credential.role } : null;
}

/**
 * Creates the admin account from configuration when it is missing. An existing
 * one is left as it is: a restart never resets a password the admin changed.
 */
export async function ensureAdmin(db: Db, email: string, password: string, memberId: string): Promise<'created' | 'exists'> {
  const existing = await credentialsRepo.findByEmail(db, email.toLowerCase());
  if (existing) {
    if (existing.role !== 'ADMIN')
      throw new Error(`ADMIN_EMAIL ${email} belongs to an account that is not an admin; choose another ADMIN_EMAIL`);
    return 'exists';
  }
  const created = await credentialsRepo.createAdmin(db, {
    memberId,
    email: email.toLowerCase(),
    passwordHash: await hashPassword(password),
    name: 'Administrator',
    phone: '-',
    birthDate: new Date('1970-01-01'),
    gender: 'OTHER',
    role: 'ADMIN',
    status: 'ACTIVE',
  });
  if (created) return 'created';
  // Several API processes starting at once: one creates, the others find it made.
  if ((await credentialsRepo.findByEmail(db, email.toLowerCase()))?.role === 'ADMIN') return 'exists';
  throw new Error(`the admin account could not be created: member id ${memberId} is taken by another account`);
}

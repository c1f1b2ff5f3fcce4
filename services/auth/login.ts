import { verify } from 'hono/jwt';
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
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

export class LoginRateLimited extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many failed logins; try again in ${retryAfterSeconds} s`);
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
  const started = throttle.begin(attempt.email, attempt.address);
  if (started.limited) throw new LoginRateLimited(started.retryAfterSeconds);
  try {
    const grant = await login(db, tokens, attempt.email, attempt.password, options);
    started.succeeded();
    return grant;
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'INVALID_CREDENTIALS')) started.withdraw();
    throw error;
  }
}

/** The principal of a bearer token whose signature holds, that has not expired, and whose session is live (one lookup). */
export async function verifyToken(tokens: TokenOptions, token: string): Promise<TPrincipal> {
  let principal: TPrincipal;
  try {
    const claims = await verify(token, tokens.secret, 'HS256');
    principal = ZPrincipal.parse({ memberId: claims.sub, role: claims.role, sessionId: claims.sid });
  } catch {
    throw new AppError('UNAUTHORIZED', 'the bearer token is missing, expired or invalid');
  }
  if (!(await tokens.sessions.isLive(principal.sessionId, principal.memberId))) {
    throw new AppError('UNAUTHORIZED', 'the session of this token has ended (logged out, password changed, revoked or erased); log in again');
  }
  return principal;
}

export async function findAccount(db: Db, memberId: string): Promise<{ email: string; role: string } | null> {
  const credential = await credentialsRepo.findByMember(db, memberId);
  return credential && credential.status === 'ACTIVE' ? { email: credential.email, role: credential.role } : null;
}

/** Creates or refreshes the admin account from configuration at start-up. */
export async function ensureAdmin(db: Db, email: string, password: string, memberId: string): Promise<void> {
  await credentialsRepo.upsertAdmin(db, {
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
}

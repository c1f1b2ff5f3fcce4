/**
 * Sessions: one per login, kept in auth's schema so that every API process
 * sees a revocation at once. A session holds the hash of its current refresh
 * token; each refresh replaces it (rotation), so a refresh token works once,
 * and presenting one that is no longer current ends the whole session (its
 * family: every bearer and refresh token it ever issued).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { sessionCheckDuration } from '../platform/metrics.ts';
import { hashPassword, verifyPassword } from './domain/password.ts';
import { credentialsRepo } from './db/credentials.ts';
import { sessionsRepo } from './db/sessions.ts';
import { issueAccessToken, type SessionCheck, type TokenOptions, type TPrincipal } from './tokens.ts';

/** The answer of login and refresh (shared/API.md "Additions"). */
export interface Grant {
  token: string;
  refreshToken: string;
  /** Seconds the bearer token lives. */
  expiresIn: number;
}

/** Wrong current passwords a session may give on POST /auth/password before it is ended. */
export const MAX_PASSWORD_FAILURES = 5;

const REFRESH_TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;
const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');
const newSecret = () => randomBytes(32).toString('base64url');
const later = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000);

/** Starts a session for a member whose password was just checked. `lifetimeSeconds` defaults to the refresh token lifetime. */
export async function openSession(
  db: Db,
  tokens: TokenOptions,
  account: { memberId: string; role: TPrincipal['role'] },
  options: { now?: Date; lifetimeSeconds?: number } = {},
): Promise<Grant & { sessionId: string }> {
  const now = options.now ?? new Date();
  const sessionId = randomUUID();
  const secret = newSecret();
  await sessionsRepo.pruneExpired(db, account.memberId, now);
  await sessionsRepo.insert(db, {
    sessionId,
    memberId: account.memberId,
    refreshHash: sha256(secret),
    expiresAt: later(now, options.lifetimeSeconds ?? tokens.refreshTtlSeconds),
  });
  return {
    sessionId,
    token: await issueAccessToken(tokens, { ...account, sessionId }, now),
    refreshToken: `${sessionId}.${secret}`,
    expiresIn: tokens.ttlSeconds,
  };
}

/**
 * Exchanges a refresh token for a new pair. The session row is locked, so of
 * two requests with one token exactly one succeeds; the other, like any later
 * use of a replaced token, ends the session.
 */
export async function refreshSession(db: Db, tokens: TokenOptions, refreshToken: string, now = new Date()): Promise<Grant> {
  const [, sessionId, secret] = REFRESH_TOKEN.exec(refreshToken) ?? [];
  if (!sessionId || !secret) throw new AppError('UNAUTHORIZED', 'the refresh token is malformed');
  const outcome = await db.$transaction(async (tx) => {
    const session = await sessionsRepo.lock(tx, sessionId);
    if (!session || session.revokedAt || session.expiresAt <= now)
      return { refused: 'the refresh token is unknown, expired or revoked' } as const;
    if (!timingSafeEqual(Buffer.from(session.refreshHash), Buffer.from(sha256(secret)))) {
      await sessionsRepo.revoke(tx, sessionId, 'REFRESH_REUSED', now);
      return { refused: 'this refresh token was used before; every token of its session is revoked' } as const;
    }
    const credential = await credentialsRepo.findByMember(tx, session.memberId);
    if (credential?.status !== 'ACTIVE') return { refused: 'the account is gone' } as const;
    const next = newSecret();
    await sessionsRepo.rotate(tx, sessionId, {
      refreshHash: sha256(next),
      expiresAt: later(now, tokens.refreshTtlSeconds),
      generation: session.generation + 1,
    });
    return { memberId: session.memberId, role: credential.role, next } as const;
  });
  if ('refused' in outcome) throw new AppError('UNAUTHORIZED', outcome.refused);
  return {
    token: await issueAccessToken(tokens, { memberId: outcome.memberId, role: outcome.role, sessionId }, now),
    refreshToken: `${sessionId}.${outcome.next}`,
    expiresIn: tokens.ttlSeconds,
  };
}

/** Ends one session: its bearer and refresh tokens answer 401 from now on. Idempotent. */
export async function endSession(db: Db, sessionId: string, now = new Date()): Promise<void> {
  await sessionsRepo.revoke(db, sessionId, 'LOGGED_OUT', now);
}

/**
 * Changes the member's password and ends every other session of the member,
 * in one transaction. A wrong current password is counted on the session;
 * the MAX_PASSWORD_FAILURES-th ends it, so a stolen token cannot be used to guess.
 */
export async function changePassword(
  db: Db,
  principal: TPrincipal,
  passwords: { currentPassword: string; newPassword: string },
  now = new Date(),
): Promise<void> {
  const credential = await credentialsRepo.findByMember(db, principal.memberId);
  if (credential?.status !== 'ACTIVE') throw new AppError('UNAUTHORIZED', 'no active account for this token');
  if (!(await verifyPassword(passwords.currentPassword, credential.passwordHash))) {
    const { passwordFailures } = await sessionsRepo.countPasswordFailure(db, principal.sessionId);
    if (passwordFailures >= MAX_PASSWORD_FAILURES) {
      await sessionsRepo.revoke(db, principal.sessionId, 'PASSWORD_GUESSING', now);
      throw new AppError('UNAUTHORIZED', `the current password was wrong ${passwordFailures} times; this session has ended`);
    }
    throw new AppError('INVALID_CREDENTIALS', 'the current password is wrong');
  }
  const passwordHash = await hashPassword(passwords.newPassword);
  await db.$transaction(async (tx) => {
    await credentialsRepo.setPassword(tx, principal.memberId, passwordHash);
    await sessionsRepo.revokeMember(tx, principal.memberId, 'PASSWORD_CHANGED', now, principal.sessionId);
  });
}

/** An admin ends every session of a member (a lost device, a suspected leak). */
export async function revokeMemberSessions(db: Db, memberId: string, now = new Date()): Promise<void> {
  if (!(await credentialsRepo.findByMember(db, memberId))) throw new AppError('NOT_FOUND', `no member ${memberId}`);
  await sessionsRepo.revokeMember(db, memberId, 'REVOKED_BY_ADMIN', now);
}

/**
 * The per-request check: a primary-key lookup, no cache. A cache in each
 * process would let a revoked token through another process until it expired;
 * the lookup costs well under a millisecond (README "Security notes", measured
 * by `npm run bench` from bookrental_session_check_duration_seconds).
 */
export function sessionCheck(db: Db): SessionCheck {
  return {
    async isLive(sessionId, memberId) {
      const started = performance.now();
      try {
        const session = await sessionsRepo.findLive(db, sessionId);
        return !!session && session.memberId === memberId && session.revokedAt === null && session.expiresAt.getTime() > Date.now();
      } finally {
        sessionCheckDuration.observe((performance.now() - started) / 1000);
      }
    },
  };
}

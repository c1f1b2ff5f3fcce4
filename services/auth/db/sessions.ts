/** auth's session store: its own model only (README "Security notes", sessions). */
import { readRow, type Db, type HotRead, type Tx } from '../../platform/db.ts';
import type { Session, SessionEnd } from '../../generated/prisma/client.ts';

export type { Session, SessionEnd };

/** The per-request lookup (the bench explains it to read PostgreSQL's own share). */
export const LIVE_SESSION: HotRead = {
  name: 'auth-live-session',
  text: 'SELECT member_id, expires_at, revoked_at FROM auth.session WHERE session_id = $1::uuid',
};

export const sessionsRepo = {
  insert: (db: Db | Tx, session: Pick<Session, 'sessionId' | 'memberId' | 'refreshHash' | 'expiresAt'>) =>
    db.session.create({ data: session }),
  /** The per-request check: one primary-key lookup, three columns, through pg (a hot read). */
  findLive: async (db: Db, sessionId: string): Promise<Pick<Session, 'memberId' | 'expiresAt' | 'revokedAt'> | undefined> => {
    const row = await readRow<{ member_id: string; expires_at: Date; revoked_at: Date | null }>(db, LIVE_SESSION, [sessionId]);
    return row && { memberId: row.member_id, expiresAt: row.expires_at, revokedAt: row.revoked_at };
  },
  /** Reads the session and locks it until commit: refreshes and password attempts of one session run one at a time. */
  lock: async (tx: Tx, sessionId: string): Promise<Session | null> => {
    const locked = await tx.$queryRaw<
      { session_id: string }[]
    >`SELECT session_id FROM auth.session WHERE session_id = ${sessionId}::uuid FOR UPDATE`;
    return locked.length ? tx.session.findUnique({ where: { sessionId } }) : null;
  },
  rotate: (tx: Tx, sessionId: string, changes: Pick<Session, 'refreshHash' | 'expiresAt' | 'generation'>) =>
    tx.session.update({ where: { sessionId }, data: changes }),
  revoke: (db: Db | Tx, sessionId: string, endedBy: SessionEnd, now: Date) =>
    db.session.updateMany({ where: { sessionId, revokedAt: null }, data: { revokedAt: now, endedBy } }),
  /** Every live session of the member, except `keep` when given. */
  revokeMember: (db: Db | Tx, memberId: string, endedBy: SessionEnd, now: Date, keep?: string) =>
    db.session.updateMany({
      where: { memberId, revokedAt: null, ...(keep ? { sessionId: { not: keep } } : {}) },
      data: { revokedAt: now, endedBy },
    }),
  countPasswordFailure: (db: Db | Tx, sessionId: string) =>
    db.session.update({ where: { sessionId }, data: { passwordFailures: { increment: 1 } } }),
  /** Sessions that ran out: nothing can use them any more. */
  pruneExpired: (db: Db | Tx, memberId: string, now: Date) => db.session.deleteMany({ where: { memberId, expiresAt: { lt: now } } }),
  deleteMember: (db: Db | Tx, memberId: string) => db.session.deleteMany({ where: { memberId } }),
};

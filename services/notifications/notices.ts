/**
 * The notifications service: turns events into notices, one mail each. A
 * notice's key (`<kind>:<subject id>`) makes redelivered and re-emitted events
 * no-ops; the mail goes out under the notice's row lock and the row is marked
 * afterwards, so two consumers never both send it. The address is looked up by
 * auth at send time (services/auth/mail-delivery.ts, handed in as `deliver` by
 * processes/consumers.ts); nothing here holds one.
 */
import { randomUUID } from 'node:crypto';
import type { TEnvelope } from '../contracts/events.ts';
import type { Db } from '../platform/db.ts';
import type { Mail } from '../platform/mailer.ts';
import { subscribe, type Subscription } from '../platform/consumer.ts';
import { noticesRepo, type NoticeKind } from './db/notices.ts';
import { renderNotice } from './messages.ts';

export const NOTIFICATIONS_GROUP = 'notifications';

export interface NotifierDeps {
  db: Db;
  /** Sends a mail to a member's address, which only auth knows; NO_ADDRESS when there is nobody to write to. */
  deliver: (memberId: string, mail: Omit<Mail, 'to'>) => Promise<'SENT' | 'NO_ADDRESS'>;
}

interface NoticeOf {
  kind: NoticeKind;
  /** The rental, clearance or member the notice is about: one notice per kind and subject. */
  subjectId: string;
  memberId: string;
  bookNo?: number;
  dueAt?: string;
  lateFee?: number;
  amount?: number;
}

export const noticeKey = (kind: NoticeKind, subjectId: string): string => `${kind}:${subjectId}`;

/** Records the notice and sends its mail, once. */
export async function notify(deps: NotifierDeps, notice: NoticeOf, now = new Date()): Promise<void> {
  const { db, deliver } = deps;
  const key = noticeKey(notice.kind, notice.subjectId);
  // Nothing is recorded for an erased member (one statement checks and inserts).
  const { erased } = await noticesRepo.insertOnceUnlessErased(db, {
    id: randomUUID(),
    key,
    memberId: notice.memberId,
    kind: notice.kind,
    bookNo: notice.bookNo ?? null,
    dueAt: notice.dueAt ? new Date(notice.dueAt) : null,
    lateFee: notice.lateFee ?? null,
    amount: notice.amount ?? null,
  });
  if (erased) return;
  await db.$transaction(
    async (tx) => {
      const stored = await noticesRepo.lockPending(tx, key);
      if (!stored) return; // sent already (a duplicate), or nobody to write to
      // A stable Message-ID: should the mark below be lost (a crash right after sending), the resent copy is the same message.
      const delivery = await deliver(notice.memberId, { ...renderNotice(stored), messageId: `<${stored.id}@notices.book-rental.local>` });
      await noticesRepo.markDelivered(tx, key, delivery, now);
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

export function notificationSubscriptions(deps: NotifierDeps): Subscription[] {
  const on = (notice: NoticeOf) => notify(deps, notice);
  return [
    subscribe('auth.member-signed-up.v1', ({ payload }: TEnvelope<'auth.member-signed-up.v1'>) =>
      on({ kind: 'WELCOME', subjectId: payload.memberId, memberId: payload.memberId }),
    ),
    subscribe('rental.item-rented.v1', ({ payload }: TEnvelope<'rental.item-rented.v1'>) =>
      on({ kind: 'RENTED', subjectId: payload.rentalId, memberId: payload.memberId, bookNo: payload.bookNo, dueAt: payload.dueAt }),
    ),
    subscribe('rental.item-due-soon.v1', ({ payload }: TEnvelope<'rental.item-due-soon.v1'>) =>
      on({ kind: 'DUE_SOON', subjectId: payload.rentalId, memberId: payload.memberId, bookNo: payload.bookNo, dueAt: payload.dueAt }),
    ),
    subscribe('rental.item-overdue.v1', ({ payload }: TEnvelope<'rental.item-overdue.v1'>) =>
      on({ kind: 'OVERDUE', subjectId: payload.rentalId, memberId: payload.memberId, bookNo: payload.bookNo, dueAt: payload.dueAt }),
    ),
    subscribe('rental.item-returned.v1', ({ payload }: TEnvelope<'rental.item-returned.v1'>) =>
      on({ kind: 'RETURNED', subjectId: payload.rentalId, memberId: payload.memberId, bookNo: payload.bookNo, lateFee: payload.lateFee }),
    ),
    subscribe('rental.overdue-cleared.v1', ({ payload }: TEnvelope<'rental.overdue-cleared.v1'>) =>
      on({ kind: 'OVERDUE_CLEARED', subjectId: payload.clearanceId, memberId: payload.memberId, amount: payload.amount }),
    ),
    // Erased: the member's notices go, and later events for them record and send nothing.
    subscribe('member.member-erased.v1', async ({ payload }: TEnvelope<'member.member-erased.v1'>) => {
      await noticesRepo.forget(deps.db, payload.memberId, new Date(payload.erasedAt));
    }),
  ];
}

export async function noticesOf(db: Db, memberId: string, limit = 100) {
  return noticesRepo.ofMember(db, memberId, limit);
}

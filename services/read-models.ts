/**
 * Every read model built from Kafka events, as one list: the consumers process
 * runs it live and the rebuild command replays it, so both use the same handlers.
 * The hot topics also have a batch form (one statement per batch of one
 * partition, same effect as the single handler on each event in order), which
 * the runner uses when several messages wait: a rebuild, or a backlog.
 */
import { countBookRented, countBooksRented, countRentCountRows, recordBookTitle as recordBestBookTitle, recordBookTitlesBatch as recordBestBookTitles, resetRentCounts } from './bestbook/rent-counts.ts';
import { countRentalHistoryRows, forgetErasedMember, recordItemRented, recordItemReturned, recordItemsRented, recordItemsReturned, resetRentalHistory } from './member/history.ts';
import {
  countPartnerRent,
  countPartnerRents,
  countPartnerReturn,
  countPartnerReturns,
  countPartnerSummaryRows,
  forgetErasedPartner,
  recordPartnerRegistered,
  resetPartnerCounters,
} from './partner/summaries.ts';
import { countBookTitleRows, recordBookTitle, recordBookTitles, resetBookTitles } from './rental/titles.ts';
import { upcastBookChanged } from './contracts/book-changed.ts';
import { subscribe, type Subscription } from './platform/consumer.ts';
import type { Db } from './platform/db.ts';

/** One consumer group per read model. */
export const READ_MODEL_GROUPS = {
  partnerSummary: 'partner-summary',
  bestBook: 'best-book',
  memberHistory: 'member-history',
  rentalBookTitles: 'rental-book-titles',
} as const;

export interface ReadModel {
  groupId: string;
  /**
   * The subscriptions, in the order a rebuild replays them: each phase runs to
   * the end before the next starts, so a later phase finds the rows an earlier
   * one creates. Live consumption runs all phases at once.
   */
  phases: Subscription[][];
  /** Empties what the replay rebuilds, and the processed ids, so the replay applies every event again. */
  reset: () => Promise<void>;
  /** Rows in the read model, for the rebuild's report. */
  countRows: () => Promise<number>;
}

export function readModels(db: Db): ReadModel[] {
  return [
    {
      groupId: READ_MODEL_GROUPS.partnerSummary,
      // One phase: the handlers give the same rows in any order (partner/summaries.ts), as they must live.
      phases: [
        [
          subscribe('member.partner-registered.v1', (event) => recordPartnerRegistered(db, event)),
          subscribe('rental.item-rented.v1', (event) => countPartnerRent(db, event), (events) => countPartnerRents(db, events)),
          subscribe('rental.item-returned.v1', (event) => countPartnerReturn(db, event), (events) => countPartnerReturns(db, events)),
          subscribe('member.member-erased.v1', (event) => forgetErasedPartner(db, event)),
        ],
      ],
      reset: () => resetPartnerCounters(db),
      countRows: () => countPartnerSummaryRows(db),
    },
    {
      groupId: READ_MODEL_GROUPS.bestBook,
      phases: [
        [
          subscribe('rental.item-rented.v1', (event) => countBookRented(db, event), (events) => countBooksRented(db, events)),
          // Both versions: v1 holds the changes made before v2 existed (README "Event versions").
          subscribe(
            'book.book-changed.v1',
            (event) => recordBestBookTitle(db, upcastBookChanged(event)),
            (events) => recordBestBookTitles(db, events.map(upcastBookChanged)),
          ),
          subscribe('book.book-changed.v2', (event) => recordBestBookTitle(db, event), (events) => recordBestBookTitles(db, events)),
        ],
      ],
      reset: () => resetRentCounts(db),
      countRows: () => countRentCountRows(db),
    },
    {
      groupId: READ_MODEL_GROUPS.memberHistory,
      // Rents before returns, so a rebuild never needs a placeholder row (see member/db/history.ts).
      phases: [
        [subscribe('rental.item-rented.v1', (event) => recordItemRented(db, event), (events) => recordItemsRented(db, events))],
        [subscribe('rental.item-returned.v1', (event) => recordItemReturned(db, event), (events) => recordItemsReturned(db, events))],
        [subscribe('member.member-erased.v1', (event) => forgetErasedMember(db, event))],
      ],
      reset: () => resetRentalHistory(db),
      countRows: () => countRentalHistoryRows(db),
    },
    {
      groupId: READ_MODEL_GROUPS.rentalBookTitles,
      phases: [
        [
          subscribe('book.book-changed.v1', (event) => recordBookTitle(db, upcastBookChanged(event)), (events) => recordBookTitles(db, events.map(upcastBookChanged))),
          subscribe('book.book-changed.v2', (event) => recordBookTitle(db, event), (events) => recordBookTitles(db, events)),
        ],
      ],
      reset: () => resetBookTitles(db),
      countRows: () => countBookTitleRows(db),
    },
  ];
}

/**
 * Every read model built from Kafka events, as one list: the consumers process
 * runs it live and the rebuild command replays it, so both use the same handlers.
 * Every handler takes a batch of one partition's events and applies it in one
 * transaction through the read-model kit (services/platform/read-model-kit.ts),
 * with the effect of applying each event in order; one event is a batch of one.
 */
import {
  countBooksRented,
  countRentCountRows,
  recordBookTitlesBatch as recordBestBookTitles,
  resetRentCounts,
} from './bestbook/rent-counts.ts';
import {
  countRentalHistoryRows,
  forgetErasedMembers,
  recordItemsRented,
  recordItemsReturned,
  resetRentalHistory,
} from './member/history.ts';
import {
  countPartnerRents,
  countPartnerReturns,
  countPartnerSummaryRows,
  forgetErasedPartners,
  recordPartnersRegistered,
  resetPartnerCounters,
} from './partner/summaries.ts';
import { countBookTitleRows, recordBookTitles, resetBookTitles } from './rental/titles.ts';
import { upcastBookChanged } from './contracts/book-changed.ts';
import type { TEnvelope, Topic } from './contracts/events.ts';
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
   * One per topic. The handlers give the same rows whatever the order of events
   * of different topics (each says how), so live consumption and a rebuild may
   * interleave the topics freely; a partition's own order is always kept.
   */
  subscriptions: Subscription[];
  /** Empties what the replay rebuilds, and the processed ids, so the replay applies every event again. */
  reset: () => Promise<void>;
  /** Rows in the read model, for the rebuild's report. */
  countRows: () => Promise<number>;
}

/** A subscription whose single-event handler is the batch handler on a batch of one. */
function batched<T extends Topic>(topic: T, handleBatch: (events: TEnvelope<T>[]) => Promise<void>): Subscription {
  return subscribe(topic, (event) => handleBatch([event]), handleBatch);
}

export function readModels(db: Db): ReadModel[] {
  return [
    {
      groupId: READ_MODEL_GROUPS.partnerSummary,
      // Any order gives the same rows (partner/summaries.ts), as it must live.
      subscriptions: [
        batched('member.partner-registered.v1', (events) => recordPartnersRegistered(db, events)),
        batched('rental.item-rented.v1', (events) => countPartnerRents(db, events)),
        batched('rental.item-returned.v1', (events) => countPartnerReturns(db, events)),
        batched('member.member-erased.v1', (events) => forgetErasedPartners(db, events)),
      ],
      reset: () => resetPartnerCounters(db),
      countRows: () => countPartnerSummaryRows(db),
    },
    {
      groupId: READ_MODEL_GROUPS.bestBook,
      // A rent's title is provisional until a book-changed event brings one; titles are newest-wins.
      subscriptions: [
        batched('rental.item-rented.v1', (events) => countBooksRented(db, events)),
        // Both versions: v1 holds the changes made before v2 existed (README "Event versions").
        batched('book.book-changed.v1', (events) => recordBestBookTitles(db, events.map(upcastBookChanged))),
        batched('book.book-changed.v2', (events) => recordBestBookTitles(db, events)),
      ],
      reset: () => resetRentCounts(db),
      countRows: () => countRentCountRows(db),
    },
    {
      groupId: READ_MODEL_GROUPS.memberHistory,
      // A return seen before its rent leaves a placeholder the rent completes; an
      // erased member's events are skipped by the profile's erased_at, whenever they come.
      subscriptions: [
        batched('rental.item-rented.v1', (events) => recordItemsRented(db, events)),
        batched('rental.item-returned.v1', (events) => recordItemsReturned(db, events)),
        batched('member.member-erased.v1', (events) => forgetErasedMembers(db, events)),
      ],
      reset: () => resetRentalHistory(db),
      countRows: () => countRentalHistoryRows(db),
    },
    {
      groupId: READ_MODEL_GROUPS.rentalBookTitles,
      subscriptions: [
        batched('book.book-changed.v1', (events) => recordBookTitles(db, events.map(upcastBookChanged))),
        batched('book.book-changed.v2', (events) => recordBookTitles(db, events)),
      ],
      reset: () => resetBookTitles(db),
      countRows: () => countBookTitleRows(db),
    },
  ];
}

/**
 * Every invariant the checker runs, one rule per file in rules/. A new rule is
 * a new file and one line here.
 */
import { bookAndLoanAgree } from './rules/book-and-loan.ts';
import { cancelledRentsStayCancelled } from './rules/cancelled-rents.ts';
import { consumerLagZero } from './rules/consumer-lag.ts';
import { deadLettersHandled } from './rules/dead-letters.ts';
import { erasedMembersHoldNothing } from './rules/erased-hold-nothing.ts';
import { erasureComplete } from './rules/erasure.ts';
import { feesMatchLedger } from './rules/fees.ts';
import { lifeCycleRules } from './rules/life-cycle.ts';
import { kafkaHoldsPublishedEvents } from './rules/kafka-has-outbox-events.ts';
import { oneEventPerChange } from './rules/one-event-per-change.ts';
import { outboxDrained } from './rules/outbox-drained.ts';
import { pointsAddUp } from './rules/points.ts';
import { bestBooksMatchEvents } from './rules/read-model-best-books.ts';
import { historyMatchesEvents } from './rules/read-model-history.ts';
import { partnersMatchEvents } from './rules/read-model-partners.ts';
import { titlesMatchEvents } from './rules/read-model-titles.ts';
import { signupsComplete } from './rules/signup.ts';
import { noStalePending } from './rules/stale-pending.ts';
import type { Rule } from './types.ts';

export const RULES: Rule[] = [
  noStalePending,
  bookAndLoanAgree,
  pointsAddUp,
  feesMatchLedger,
  cancelledRentsStayCancelled,
  signupsComplete,
  erasureComplete,
  erasedMembersHoldNothing,
  outboxDrained,
  oneEventPerChange,
  bestBooksMatchEvents,
  historyMatchesEvents,
  titlesMatchEvents,
  partnersMatchEvents,
  kafkaHoldsPublishedEvents,
  consumerLagZero,
  deadLettersHandled,
  ...lifeCycleRules,
];

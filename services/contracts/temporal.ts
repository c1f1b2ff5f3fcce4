/**
 * The Temporal side of the contracts (the Kafka side is ./events.ts): what
 * workflows, activities, services and processes agree on: task queues, search
 * attributes, workflow ids, inputs and results, queries, updates and signals.
 * Pure types and constants, safe in the workflow sandbox: the only module
 * outside workflows/ that workflow code imports.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const TASK_QUEUES = {
  sagas: 'sagas',
  auth: 'auth',
  member: 'member',
  book: 'book',
  rental: 'rental',
} as const;
export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];

/** Registered on the Temporal server (see scripts/infra); never carry personal data. */
export const SEARCH = {
  memberId: defineSearchAttributeKey('MemberId', SearchAttributeType.KEYWORD),
  bookNo: defineSearchAttributeKey('BookNo', SearchAttributeType.KEYWORD),
  sagaStatus: defineSearchAttributeKey('SagaStatus', SearchAttributeType.KEYWORD),
  sagaType: defineSearchAttributeKey('SagaType', SearchAttributeType.KEYWORD),
  /**
   * What the saga did and how it stands, for the Temporal UI's workflow list (a column), e.g.
   * "rent book 12 — COMPENSATED: BOOK_NOT_AVAILABLE": the list shows search attributes, not the
   * user-metadata summary. Saga types, book numbers, statuses and error codes only.
   */
  sagaSummary: defineSearchAttributeKey('SagaSummary', SearchAttributeType.KEYWORD),
};

/** What a saga is about, for the Temporal UI: its type and book ("rent book 12", "settle fee"); never personal data. */
export const sagaLabel = (sagaType: string, bookNo?: number): string =>
  `${sagaType.replace(/-/g, ' ')}${bookNo === undefined ? '' : ` book ${bookNo}`}`;

/** A loan, told apart from the sagas in the Temporal UI: "loan of book 12 (due 2026-12-14T08:00:00.000Z)". */
export const loanLabel = (loan: Pick<LoanInput, 'bookNo' | 'dueAt'>): string => `loan of book ${loan.bookNo} (due ${loan.dueAt})`;

/** The line the Temporal UI shows (SagaSummary and the current details): "rent book 12 — COMPENSATED: BOOK_NOT_AVAILABLE". */
export const summaryLine = (label: string, status: string, code?: string): string => `${label} — ${status}${code ? `: ${code}` : ''}`;

export type StepStatus =
  | 'PENDING'
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'COMPENSATING'
  | 'COMPENSATED'
  | 'COMPENSATION_FAILED'
  | 'RESOLVED_BY_OPERATOR';
/**
 * COMPENSATION_FAILED: an undo gave up and the saga waits for an operator;
 * RESOLVED_BY_OPERATOR: it ended after an operator declared an undo done by hand.
 */
export type SagaStatus =
  | 'RUNNING'
  | 'COMPLETED'
  | 'COMPENSATING'
  | 'COMPENSATED'
  | 'COMPENSATION_FAILED'
  | 'RESOLVED_BY_OPERATOR'
  | 'FAILED';

export interface OperatorDecision {
  action: 'retry' | 'resolve';
  /** Why, for the history: who fixed what by hand. */
  note?: string;
}

export interface SagaProgress<Result = unknown> {
  status: SagaStatus;
  steps: { name: string; status: StepStatus }[];
  failure?: { step: string; code: string; message: string };
  /** The undo that gave up, while the saga waits for an operator. */
  compensationFailure?: { step: string; code: string; message: string };
  /** What the saga produced, once COMPLETED. */
  result?: Result;
}

export const signupWorkflowId = (signupId: string): string => `signup-${signupId}`;
/** The signal the confirmation link's route sends a waiting signup saga; it carries nothing. */
export const ADDRESS_CONFIRMED_SIGNAL = 'addressConfirmed';

/** The signup saga's input: ids and profile choices only. Contact data and the password hash stay in auth's staging table. */
export interface SignupInput {
  signupId: string;
  memberId: string;
  role: 'USER' | 'PARTNER';
  nickname: string;
  favoriteStyles: string[];
  /** How long the saga waits for the address to be confirmed (SIGNUP_VERIFICATION_SECONDS); absent in sagas started before confirmation existed. */
  verificationSeconds?: number;
}

export interface SignupResult {
  memberId: string;
}

export const rentWorkflowId = (rentalId: string): string => `rent-${rentalId}`;
export const loanWorkflowId = (rentalId: string): string => `loan-${rentalId}`;
export const returnWorkflowId = (returnId: string): string => `return-${returnId}`;
export const clearOverdueWorkflowId = (clearanceId: string): string => `clear-overdue-${clearanceId}`;
export const settleFeeWorkflowId = (settlementId: string): string => `settle-fee-${settlementId}`;
/** One erasure per member: starting it twice finds the same saga. */
export const erasureWorkflowId = (memberId: string): string => `erase-${memberId}`;

export interface ErasureInput {
  memberId: string;
}

export interface RentInput {
  rentalId: string;
  memberId: string;
  bookNo: number;
}

/** What the rental card answered when it accepted the item. */
export interface RentalAccepted {
  title: string;
  rentedAt: string;
  dueAt: string;
  /** When the due-soon reminder goes out (absent: none). */
  remindAt?: string;
}

export interface RentResult {
  rentalId: string;
  bookNo: number;
  dueAt: string;
}

export interface LoanInput {
  rentalId: string;
  memberId: string;
  bookNo: number;
  dueAt: string;
  /** When to remind the member (absent in loans started before reminders existed). */
  remindAt?: string;
}

export interface ReturnInput {
  returnId: string;
  memberId: string;
  bookNo: number;
}

export interface ItemReturned {
  rentalId: string;
  lateFee: number;
}

export interface ReturnResult {
  rentalId: string;
  lateFee: number;
}

export interface ClearOverdueInput {
  clearanceId: string;
  memberId: string;
}

export interface ClearOverdueResult {
  amount: number;
}

/** An admin settles a member's late fee: `points` of it from the member's points, the rest paid at the desk or waived. */
export interface SettleFeeInput {
  settlementId: string;
  memberId: string;
  points: number;
  /** Why, in the admin's words ("paid at the desk", "waived: ..."): kept in the ledger and published. */
  reason: string;
}

export interface SettleFeeResult {
  amount: number;
  pointsPaid: number;
}

/** Points the domain awards (shared/API.md). */
export const POINTS = { rent: 10, return: 10 } as const;

/** Every saga answers this query with its live step list (the HTTP status resources read it). */
export const progressQuery = defineQuery<SagaProgress<object>>('progress');
/** An operator's answer to a compensation that gave up: run it again, or record that it was undone by hand. */
export const resolveCompensationUpdate = defineUpdate<SagaProgress<object>, [OperatorDecision]>('resolveCompensation');
/** The return saga tells the loan its book is back (the loan's overdue timer stops). */
export const bookReturnedSignal = defineSignal('bookReturned');

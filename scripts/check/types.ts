/** What an invariant rule is given and what it answers (scripts/check.ts runs them; one rule per file in rules/). */
import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';

export interface Violation {
  rule: string;
  subject: string;
  detail: string;
  /** What the violation is about, so a test can look at only its own members and books. */
  memberId?: string;
  bookNo?: number;
}

/** Rows of a SQL query; a rule that names its columns' types says so with `Row` (pg's `query<Row>`). */
export type Query = <Row extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

export interface RuleContext {
  query: Query;
  /** Work younger than this may still be in flight (a saga, the relay, a consumer); older is a violation. */
  graceSeconds: number;
  /** How far back Kafka is compared with the outboxes. */
  kafkaWindowSeconds: number;
  kafka?: Kafka;
  temporal?: Client;
  /** True when outbox retention deleted published rows: rules that read every event from the outboxes cannot judge. */
  outboxPruned: boolean;
}

export interface Rule {
  name: string;
  /** What the rule reads besides the database; without it the rule is reported as skipped. */
  needs?: ('kafka' | 'temporal' | 'complete outboxes')[];
  check(context: RuleContext): Promise<Violation[]>;
}

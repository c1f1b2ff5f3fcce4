/** What the operations console shows, read from Temporal, the services' outboxes and Kafka at request time. */
import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { settle, type LetterStatus } from '../../scripts/dlq/ledger.ts';
import { ALL_TOPICS, deadLetterTopic } from '../contracts/events.ts';
import { SEARCH } from '../contracts/temporal.ts';
import type { Db } from '../platform/db.ts';
import {
  consumerGroupLags,
  describeTopics,
  readLastEvents,
  type EventView,
  type GroupLag,
  type TopicView,
} from '../platform/kafka-inspect.ts';
import { OUTBOX_SCHEMAS } from '../platform/outbox.ts';
import { NEEDS_OPERATOR_QUERY } from '../platform/sagas.ts';

export interface OpsDeps {
  db: Db;
  temporal: Client;
  kafka: Kafka;
  namespace: string;
  /** The Temporal UI, for links to each saga's page; unset = no links. */
  uiUrl?: string;
}

export interface SagaRow {
  workflowId: string;
  workflowType: string;
  sagaType: string;
  sagaStatus: string;
  bookNo?: string;
  startTime: string;
  closeTime?: string;
  executionStatus: string;
}

export interface OverviewData {
  needsOperator: SagaRow[];
  recent: SagaRow[];
  outboxes: { outbox: string; backlog: number; oldestSeconds: number }[];
  lags: GroupLag[];
  /** Per dead-letter topic: its messages (letters and the operator's records), the letters nobody settled yet, and those per group. */
  deadLetters: { topic: string; messages: number; unhandled: number; groups: Record<string, number> }[];
}

async function sagaRows(temporal: Client, query: string, limit: number): Promise<SagaRow[]> {
  const rows: SagaRow[] = [];
  for await (const execution of temporal.workflow.list({ query, pageSize: limit })) {
    const attributes = execution.typedSearchAttributes;
    const bookNo = attributes.get(SEARCH.bookNo);
    rows.push({
      workflowId: execution.workflowId,
      workflowType: execution.type,
      sagaType: attributes.get(SEARCH.sagaType) ?? '?',
      sagaStatus: attributes.get(SEARCH.sagaStatus) ?? '?',
      ...(bookNo ? { bookNo } : {}),
      startTime: execution.startTime.toISOString(),
      ...(execution.closeTime ? { closeTime: execution.closeTime.toISOString() } : {}),
      executionStatus: execution.status.name,
    });
    if (rows.length >= limit) break;
  }
  return rows;
}

async function outboxBacklogs(db: Db) {
  return Promise.all(
    OUTBOX_SCHEMAS.map(async (outbox) => {
      const [row] = await db.$queryRawUnsafe<{ rows: number; oldest: number }[]>(
        `SELECT count(*)::int AS rows, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest FROM "${outbox}".outbox WHERE published_at IS NULL`,
      );
      return { outbox, backlog: row?.rows ?? 0, oldestSeconds: Math.round(row?.oldest ?? 0) };
    }),
  );
}

/** Each letter among these dead-letter messages (by `partition:offset`) and what the operator did with it (scripts/dlq/ledger.ts). */
export function letterStatuses(events: EventView[]): Map<string, { group: string; status: LetterStatus; note?: string }> {
  const records = events.map((event) => ({
    position: `${event.partition}:${event.offset}`,
    key: event.key,
    value: null,
    headers: event.headers,
  }));
  return new Map(
    settle(records).map((letter) => [
      letter.position,
      { group: letter.group, status: letter.status, ...(letter.note ? { note: letter.note } : {}) },
    ]),
  );
}

/** Unhandled dead letters per topic, and per consumer group that parked them (the `dlq-consumer-group` header). */
async function deadLetterCounts(kafka: Kafka, topics: TopicView[]) {
  return Promise.all(
    topics.map(async (view) => {
      const groups: Record<string, number> = {};
      let unhandled = 0;
      if (view.messages > 0) {
        for (const { group, status } of letterStatuses(await readLastEvents(kafka, view.topic, { limit: 1000 })).values()) {
          if (status !== 'unhandled') continue;
          unhandled += 1;
          groups[group] = (groups[group] ?? 0) + 1;
        }
      }
      return { topic: view.topic, messages: view.messages, unhandled, groups };
    }),
  );
}

export async function readOverview(deps: OpsDeps): Promise<OverviewData> {
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const [needsOperator, recent, outboxes, lags, dlqTopics] = await Promise.all([
      sagaRows(deps.temporal, NEEDS_OPERATOR_QUERY, 100),
      sagaRows(deps.temporal, '', 40),
      outboxBacklogs(deps.db),
      consumerGroupLags(admin),
      describeTopics(admin, ALL_TOPICS.map(deadLetterTopic)),
    ]);
    return { needsOperator, recent, outboxes, lags, deadLetters: await deadLetterCounts(deps.kafka, dlqTopics) };
  } finally {
    await admin.disconnect();
  }
}

export async function readTopic(deps: OpsDeps, topic: string): Promise<TopicView | undefined> {
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    return (await describeTopics(admin, [topic]))[0];
  } finally {
    await admin.disconnect();
  }
}

export const temporalUiLink = (deps: OpsDeps, workflowId: string) =>
  deps.uiUrl
    ? `${deps.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}`
    : undefined;

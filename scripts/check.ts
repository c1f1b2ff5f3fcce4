/**
 * The invariant checker: reads every service (and Kafka, and Temporal) and
 * reports what breaks the system's promises. Work younger than the grace period
 * (`CHECK_GRACE_SECONDS`, default 30) may be in flight and is left alone; older
 * work that is still unfinished is a violation. The rules are in check/rules/,
 * one per file (check/rules.ts lists them).
 *   npm run check [-- --profile test]   exits 1 and lists the violations, if any
 * Finds the running dev profile by itself (scripts/operator-target.ts).
 */
import { Connection, Client } from '@temporalio/client';
import pg from 'pg';
import { isMain } from '../processes/runtime.ts';
import { createKafka } from '../services/platform/kafka.ts';
import { createLogger } from '../services/platform/logger.ts';
import { OUTBOX_SCHEMAS } from '../services/platform/outbox.ts';
import { RULES } from './check/rules.ts';
import type { Query, Rule, RuleContext, Violation } from './check/types.ts';
import { operatorTarget } from './operator-target.ts';

export type { Violation } from './check/types.ts';

export interface CheckScope {
  memberIds?: string[];
  bookNos?: number[];
}

export interface CheckOptions {
  graceSeconds?: number;
  scope?: CheckScope;
  /** Kafka's brokers: without them the rules that read Kafka are skipped. */
  brokers?: string[];
  /** Temporal's frontend: without it the rules that ask Temporal are skipped. */
  temporalAddress?: string;
  temporalNamespace?: string;
  kafkaWindowSeconds?: number;
  rules?: Rule[];
}

export interface CheckReport {
  violations: Violation[];
  /** Rules not run, with why. */
  skipped: { rule: string; because: string }[];
  ran: number;
}

/** True when retention deleted published rows somewhere (the sequence went past the rows still there). */
async function outboxesPruned(query: Query): Promise<boolean> {
  for (const schema of OUTBOX_SCHEMAS) {
    const [row] = await query(
      `SELECT (SELECT count(*) FROM "${schema}".outbox)::bigint AS n, (SELECT last_value FROM "${schema}".outbox_seq_seq)::bigint AS last, (SELECT is_called FROM "${schema}".outbox_seq_seq) AS called`,
    );
    if (row?.called && BigInt(row.last as string) > BigInt(row.n as string)) return true;
  }
  return false;
}

export async function runChecks(databaseUrl: string, options: CheckOptions = {}): Promise<CheckReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const kafka = options.brokers?.length
    ? createKafka({ brokers: options.brokers, clientId: 'book-rental-check', logger: createLogger({ name: 'check', level: 'error' }) })
    : undefined;
  const connection = options.temporalAddress
    ? await Connection.connect({ address: options.temporalAddress }).catch(() => undefined)
    : undefined;
  try {
    const query: Query = async <Row extends pg.QueryResultRow>(sql: string, params?: unknown[]) =>
      (await client.query<Row>(sql, params)).rows;
    const context: RuleContext = {
      query,
      graceSeconds: options.graceSeconds ?? 30,
      kafkaWindowSeconds: options.kafkaWindowSeconds ?? 3600,
      ...(kafka ? { kafka } : {}),
      ...(connection ? { temporal: new Client({ connection, namespace: options.temporalNamespace ?? 'default' }) } : {}),
      outboxPruned: await outboxesPruned(query),
    };
    const report: CheckReport = { violations: [], skipped: [], ran: 0 };
    for (const rule of options.rules ?? RULES) {
      const missing = (rule.needs ?? []).find((need) =>
        need === 'kafka' ? !context.kafka : need === 'temporal' ? !context.temporal : context.outboxPruned,
      );
      if (missing) {
        report.skipped.push({
          rule: rule.name,
          because:
            missing === 'complete outboxes' ? 'outbox retention pruned published rows; Kafka holds the events' : `no ${missing} to ask`,
        });
        continue;
      }
      report.ran++;
      report.violations.push(...(await rule.check(context)));
    }
    const { scope } = options;
    if (scope) {
      const members = new Set(scope.memberIds ?? []);
      const books = new Set(scope.bookNos ?? []);
      report.violations = report.violations.filter((violation) =>
        violation.memberId === undefined && violation.bookNo === undefined
          ? true
          : (violation.memberId !== undefined && members.has(violation.memberId)) ||
            (violation.bookNo !== undefined && books.has(violation.bookNo)),
      );
    }
    return report;
  } finally {
    await client.end();
    await connection?.close();
  }
}

/** Every violation, or (with a scope) those about these members and books plus the system-wide ones. */
export async function checkInvariants(databaseUrl: string, options: CheckOptions = {}): Promise<Violation[]> {
  return (await runChecks(databaseUrl, options)).violations;
}

async function main() {
  const { env } = operatorTarget();
  const report = await runChecks(env.DATABASE_URL, {
    graceSeconds: Number(process.env.CHECK_GRACE_SECONDS ?? 30),
    kafkaWindowSeconds: Number(process.env.CHECK_KAFKA_WINDOW_SECONDS ?? 3600),
    brokers: env.KAFKA_BROKERS.split(','),
    temporalAddress: env.TEMPORAL_ADDRESS,
    temporalNamespace: env.TEMPORAL_NAMESPACE,
  });
  for (const violation of report.violations) console.log(`✗ ${violation.rule}: ${violation.subject}: ${violation.detail}`);
  for (const skipped of report.skipped) console.log(`- skipped ${skipped.rule}: ${skipped.because}`);
  console.log(report.violations.length === 0 ? `✓ ${report.ran} invariants hold` : `${report.violations.length} violation(s)`);
  process.exit(report.violations.length === 0 ? 0 : 1);
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}

/**
 * The two things every read-model handler does, written once:
 * - **apply once**: record the event ids in the service's `processed_event`
 *   table and make the change for the events seen for the first time, in one
 *   transaction, so a redelivered or re-published event changes nothing;
 * - **newest wins**: upsert rows keyed by one column, where a row is replaced
 *   only by a strictly newer version (events of different topics, and
 *   re-published ones, arrive in any order).
 * Both take a batch (one event is a batch of one): the live consumer applies a
 * backlog, and the rebuild a whole fetch, in one transaction and a few
 * statements, with the same effect as applying each event in order.
 */
import { BATCH_TRANSACTION, type Db, type Tx } from './db.ts';

/** `<schema>.processed_event`: the event ids one service has applied. */
export type ProcessedEventTable = `${string}.processed_event`;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const QUALIFIED = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

function checked(name: string, pattern: RegExp): string {
  // Names come from code, never from input; refusing anything else keeps the SQL built below safe.
  if (!pattern.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
}

/**
 * Records the ids; answers those not recorded before (inside the caller's
 * transaction, so the record commits with the change or not at all).
 */
export async function recordFirstSeen(tx: Tx, table: ProcessedEventTable, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await tx.$queryRawUnsafe<{ event_id: string }[]>(
    `INSERT INTO ${checked(table, QUALIFIED)} (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id::text`,
    eventIds,
  );
  return new Set(rows.map((row) => row.event_id));
}

/**
 * Applies `change` to the events not applied before (each id once, in the
 * given order), in one transaction with the record of their ids. Answers how
 * many were new. A batch that throws leaves nothing behind: neither the ids
 * nor the change.
 */
export async function applyOnce<E extends { eventId: string }>(
  db: Db,
  table: ProcessedEventTable,
  events: E[],
  change: (tx: Tx, fresh: E[]) => Promise<unknown>,
): Promise<number> {
  if (events.length === 0) return 0;
  return db.$transaction(
    async (tx) => {
      const firstSeen = await recordFirstSeen(
        tx,
        table,
        events.map((event) => event.eventId),
      );
      const fresh = events.filter((event) => firstSeen.delete(event.eventId));
      if (fresh.length > 0) await change(tx, fresh);
      return fresh.length;
    },
    // Generous waits for one event too: a cold pool on a loaded machine takes seconds to hand out a connection.
    BATCH_TRANSACTION,
  );
}

/** A PostgreSQL array element type the rows' values are sent as. */
export type SqlType = 'int' | 'text' | 'uuid' | 'timestamptz' | 'boolean';

export interface NewestWins<Row> {
  /** `<schema>.<table>` */
  table: string;
  /** The unique column rows are matched on. */
  key: keyof Row & string;
  /** The column that orders versions: a row is replaced only by a strictly greater one. */
  version: keyof Row & string;
  /** Every column written, with its type; the table's defaults fill the others on insert. */
  columns: Record<keyof Row & string, SqlType>;
}

/**
 * Upserts the newest version of each key: of the given rows, per key, the
 * greatest version (the first one given among equals); then the stored row is
 * replaced only if that version is strictly greater. Keys are written in
 * order, so two batches never wait on each other crosswise. Answers the rows
 * inserted or replaced.
 */
export function upsertNewest<Row extends Record<string, string | number | boolean | Date>>(
  tx: Tx,
  spec: NewestWins<Row>,
  rows: Row[],
): Promise<number> {
  if (rows.length === 0) return Promise.resolve(0);
  const table = checked(spec.table, QUALIFIED);
  const name = checked(table.split('.')[1]!, IDENTIFIER);
  const columns = Object.keys(spec.columns).map((column) => checked(column, IDENTIFIER));
  const key = checked(spec.key, IDENTIFIER);
  const version = checked(spec.version, IDENTIFIER);
  const arrays = columns.map((column, index) => `$${index + 1}::${spec.columns[column as keyof Row & string]}[]`).join(', ');
  const updates = columns
    .filter((column) => column !== key)
    .map((column) => `${column} = EXCLUDED.${column}`)
    .join(', ');
  return tx.$executeRawUnsafe(
    `INSERT INTO ${table} (${columns.join(', ')})
     SELECT DISTINCT ON (${key}) ${columns.join(', ')} FROM unnest(${arrays}) WITH ORDINALITY AS r(${columns.join(', ')}, ord)
     ORDER BY ${key}, ${version} DESC, ord
     ON CONFLICT (${key}) DO UPDATE SET ${updates} WHERE ${name}.${version} < EXCLUDED.${version}`,
    ...columns.map((column) => rows.map((row) => sqlValue(row[column]!))),
  );
}

function sqlValue(value: string | number | boolean | Date): string | number | boolean {
  return value instanceof Date ? value.toISOString() : value;
}

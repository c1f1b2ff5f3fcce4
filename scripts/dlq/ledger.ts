/**
 * What happened to each dead letter, from the dead-letter topic alone: the
 * letters consumers parked, and the operator's records appended beside them
 * (`dlq-action: redriven | discarded`, naming the letter they settle). A letter
 * without a record is unhandled, and the invariant checker reports it.
 */
import { createHash } from 'node:crypto';

export const ACTION_HEADER = 'dlq-action';
export const ACTION_OF_HEADER = 'dlq-action-of';
export const ACTION_REASON_HEADER = 'dlq-action-reason';
export const ACTION_AT_HEADER = 'dlq-action-at';

export type LetterStatus = 'unhandled' | 'redriven' | 'discarded';

/** One message of `<topic>.dlq`, headers as strings. */
export interface DlqRecord {
  /** `partition:offset` in the dead-letter topic. */
  position: string;
  key: string | undefined;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
}

export interface Letter extends DlqRecord {
  group: string;
  reason: string;
  original: string;
  status: LetterStatus;
  /** The operator's reason (discard) or what it was re-driven as. */
  note?: string;
}

/** Pairs letters with the operator's records; records themselves are not letters. */
export function settle(records: DlqRecord[]): Letter[] {
  const actions = new Map<string, DlqRecord>();
  for (const record of records) {
    const of = record.headers[ACTION_OF_HEADER];
    if (record.headers[ACTION_HEADER] && of) actions.set(of, record);
  }
  return records
    .filter((record) => !record.headers[ACTION_HEADER])
    .map((record) => {
      const action = actions.get(record.position);
      const { headers } = record;
      return {
        ...record,
        group: headers['dlq-consumer-group'] ?? '?',
        reason: headers['dlq-reason'] ?? '?',
        original: `${headers['dlq-original-topic']}[${headers['dlq-original-partition']}]@${headers['dlq-original-offset']}`,
        status: (action?.headers[ACTION_HEADER] as LetterStatus | undefined) ?? 'unhandled',
        ...(action?.headers[ACTION_REASON_HEADER] ? { note: action.headers[ACTION_REASON_HEADER] } : {}),
      };
    });
}

/** Same group, same message: a redrive sends it once and settles the rest as duplicates. */
export const duplicateKey = (letter: Letter): string =>
  `${letter.group}\u0000${letter.key ?? ''}\u0000${createHash('sha256')
    .update(letter.value ?? Buffer.alloc(0))
    .digest('hex')}`;

/** The unhandled letters a redrive sends (first of each duplicate set) and those it only settles as duplicates. */
export function planRedrive(letters: Letter[], group?: string): { send: Letter[]; duplicates: { letter: Letter; of: Letter }[] } {
  const send: Letter[] = [];
  const duplicates: { letter: Letter; of: Letter }[] = [];
  const seen = new Map<string, Letter>();
  // Letters re-driven before count as sent: the same message parked again later is sent again only if that letter is new.
  for (const letter of letters) {
    if (letter.status !== 'unhandled' || (group !== undefined && letter.group !== group)) continue;
    const key = duplicateKey(letter);
    const first = seen.get(key);
    if (first) duplicates.push({ letter, of: first });
    else {
      seen.set(key, letter);
      send.push(letter);
    }
  }
  return { send, duplicates };
}

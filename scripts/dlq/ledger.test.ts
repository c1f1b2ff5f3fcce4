import { describe, expect, it } from 'vitest';
import { planRedrive, settle, type DlqRecord } from './ledger.ts';

const letter = (position: string, group: string, value: string, extra: Record<string, string> = {}): DlqRecord => ({
  position,
  key: 'member-1',
  value: Buffer.from(value),
  headers: {
    'dlq-consumer-group': group,
    'dlq-reason': 'handler failed 8 times: boom',
    'dlq-original-topic': 't',
    'dlq-original-partition': '0',
    'dlq-original-offset': '7',
    ...extra,
  },
});
const action = (position: string, of: string, kind: 'redriven' | 'discarded', reason?: string): DlqRecord => ({
  position,
  key: undefined,
  value: null,
  headers: { 'dlq-action': kind, 'dlq-action-of': of, ...(reason ? { 'dlq-action-reason': reason } : {}) },
});

describe('dead-letter ledger', () => {
  it('settles letters by the operator records and leaves the records out', () => {
    const letters = settle([
      letter('0:0', 'member-history', 'a'),
      letter('0:1', 'best-book', 'b'),
      letter('0:2', 'partner-summary', 'c'),
      action('0:3', '0:0', 'redriven'),
      action('0:4', '0:1', 'discarded', 'test data'),
    ]);
    expect(letters.map((l) => [l.position, l.group, l.status, l.note])).toEqual([
      ['0:0', 'member-history', 'redriven', undefined],
      ['0:1', 'best-book', 'discarded', 'test data'],
      ['0:2', 'partner-summary', 'unhandled', undefined],
    ]);
    expect(letters[0]!.original).toBe('t[0]@7');
  });

  it('redrives each unhandled message once per group, and only the chosen group', () => {
    const letters = settle([
      letter('0:0', 'member-history', 'a'),
      letter('0:1', 'member-history', 'a'), // parked twice
      letter('0:2', 'best-book', 'a'), // same message, another group: its own letter
      letter('0:3', 'member-history', 'b'),
      action('0:4', '0:3', 'redriven'),
    ]);
    const all = planRedrive(letters);
    expect(all.send.map((l) => l.position)).toEqual(['0:0', '0:2']);
    expect(all.duplicates.map((d) => [d.letter.position, d.of.position])).toEqual([['0:1', '0:0']]);
    expect(planRedrive(letters, 'best-book').send.map((l) => l.position)).toEqual(['0:2']);
  });
});

import { describe, expect, it } from 'vitest';
import { committedMigrations, unappliedMigrations } from './schema-check.ts';

describe('unappliedMigrations', () => {
  it('lists the committed migrations the database lacks, whether names were recorded with their path or not', () => {
    const committed = ['20260101_init', '20260102_more'];
    expect(unappliedMigrations(committed, [])).toEqual(committed);
    expect(unappliedMigrations(committed, ['20260101_init'])).toEqual(['20260102_more']);
    expect(unappliedMigrations(committed, ['/somewhere/prisma/migrations/20260101_init', '/x/20260102_more'])).toEqual([]);
  });

  it('reads the committed migrations in order', () => {
    const names = committedMigrations();
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual([...names].sort());
  });
});

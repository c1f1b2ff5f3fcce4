import { OUTBOX_SCHEMAS } from '../../../services/platform/outbox.ts';
import type { Rule, Violation } from '../types.ts';

/** Every event reaches Kafka: no outbox row stays unpublished past the grace period. */
export const outboxDrained: Rule = {
  name: 'outbox drained',
  async check({ query, graceSeconds }) {
    const violations: Violation[] = [];
    for (const schema of OUTBOX_SCHEMAS) {
      const [row] = await query(
        `SELECT count(*)::int AS n, min(created_at) AS oldest FROM "${schema}".outbox WHERE published_at IS NULL AND created_at < now() - make_interval(secs => $1)`,
        [graceSeconds],
      );
      if (row && (row.n as number) > 0)
        violations.push({
          rule: this.name,
          subject: `${schema}.outbox`,
          detail: `${row.n} row(s) unpublished, oldest ${(row.oldest as Date).toISOString()}`,
        });
    }
    return violations;
  },
};

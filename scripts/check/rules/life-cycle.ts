import { LIFE_CYCLE_RULES } from '../../check-life-cycle.ts';
import type { Rule } from '../types.ts';

/** The life-cycle rules (fee settlements, withdrawn books), kept in scripts/check-life-cycle.ts. */
export const lifeCycleRules: Rule[] = Object.entries(LIFE_CYCLE_RULES).map(([name, check]) => ({
  name,
  check: ({ query, graceSeconds }) => check(query, graceSeconds),
}));

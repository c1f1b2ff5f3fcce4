import type { Db } from '../services/platform/db.ts';
import type { Mailer } from '../services/platform/mailer.ts';
import type { LoanRules } from '../services/rental/domain/rules.ts';
import { TASK_QUEUES, type TaskQueue } from '../workflows/contracts.ts';
import { createAuthActivities } from './auth.ts';
import { createBookActivities } from './book.ts';
import { withFaults } from './faults.ts';
import { createMemberActivities } from './member.ts';
import { createRentalActivities } from './rental.ts';

export interface ActivityDeps {
  db: Db;
  rules: LoanRules;
  /** auth mails confirmation links through it. */
  mailer: Mailer;
  /** The base of links in mails (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  /** Test-only fault injection (config refuses it in production). */
  faultsFile?: string | undefined;
}

/** Each service's activities by the task queue that carries them. */
export function activitiesByQueue(deps: ActivityDeps): Record<Exclude<TaskQueue, 'sagas'>, object> {
  const { faultsFile } = deps;
  return {
    [TASK_QUEUES.auth]: withFaults(createAuthActivities(deps), faultsFile),
    [TASK_QUEUES.member]: withFaults(createMemberActivities(deps), faultsFile),
    [TASK_QUEUES.book]: withFaults(createBookActivities(deps), faultsFile),
    [TASK_QUEUES.rental]: withFaults(createRentalActivities(deps), faultsFile),
  };
}

import type { Db } from '../services/platform/db.ts';
import { TASK_QUEUES, type TaskQueue } from '../workflows/contracts.ts';
import { createAuthActivities } from './auth.ts';
import { createMemberActivities } from './member.ts';
import { createRentalActivities } from './rental.ts';

/** Each service's activities by the task queue that carries them. */
export function activitiesByQueue(deps: { db: Db }): Record<Exclude<TaskQueue, 'sagas'>, object> {
  return {
    [TASK_QUEUES.auth]: createAuthActivities(deps),
    [TASK_QUEUES.member]: createMemberActivities(deps),
    [TASK_QUEUES.rental]: createRentalActivities(deps),
  };
}

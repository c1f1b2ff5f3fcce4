import type { Db } from '../services/platform/db.ts';
import type { Mailer } from '../services/platform/mailer.ts';
import type { LoanRules } from '../services/rental/domain/rules.ts';
import { TASK_QUEUES, type TaskQueue } from '../services/contracts/temporal.ts';
import { createAuthActivities } from './auth.ts';
import { createBookActivities } from './book.ts';
import { createMemberActivities } from './member.ts';
import { createRentalActivities } from './rental.ts';

export interface ActivityDeps {
  /** Each service's own connection (its role reaches only its schema). */
  dbs: Record<'auth' | 'member' | 'book' | 'rental', Db>;
  rules: LoanRules;
  /** auth mails confirmation links through it. */
  mailer: Mailer;
  /** The base of links in mails (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
}

/** Each service's activities by the task queue that carries them. */
export function activitiesByQueue(deps: ActivityDeps): Record<Exclude<TaskQueue, 'sagas'>, object> {
  return {
    [TASK_QUEUES.auth]: createAuthActivities({ ...deps, db: deps.dbs.auth }),
    [TASK_QUEUES.member]: createMemberActivities({ db: deps.dbs.member }),
    [TASK_QUEUES.book]: createBookActivities({ db: deps.dbs.book }),
    [TASK_QUEUES.rental]: createRentalActivities({ ...deps, db: deps.dbs.rental }),
  };
}

/**
 * A deliberately broken signup: the profile is created before the credentials,
 * without `patched()`. The replay test proves that committed histories catch it.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { AuthActivities } from '../../activities/auth.ts';
import type { MemberActivities } from '../../activities/member.ts';
import { STEP_OPTIONS } from '../../workflows/activity-options.ts';
import { TASK_QUEUES, type SignupInput } from '../../services/contracts/temporal.ts';

const auth = proxyActivities<AuthActivities>({ taskQueue: TASK_QUEUES.auth, ...STEP_OPTIONS });
const member = proxyActivities<MemberActivities>({ taskQueue: TASK_QUEUES.member, ...STEP_OPTIONS });

export async function signupWorkflow(input: SignupInput) {
  await member.createProfile(input);
  await auth.createCredentials({ signupId: input.signupId, memberId: input.memberId, role: input.role });
}

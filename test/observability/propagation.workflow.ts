// Workflows of trace-propagation.test.ts: an activity, then a child workflow that calls one too.
import { executeChild, proxyActivities } from '@temporalio/workflow';

const { note } = proxyActivities<{ note(step: string): Promise<string> }>({ startToCloseTimeout: '10 seconds' });

export async function propagationParent(): Promise<string[]> {
  return [await note('parent'), ...(await executeChild(propagationChild))];
}

export async function propagationChild(): Promise<string[]> {
  return [await note('child')];
}

/**
 * Sagas provably in flight across a fault: each rent's awardPoints step is held
 * for a few seconds by the test-only fault injection (it waits, then runs),
 * the fault strikes while every saga waits there, and afterwards the histories
 * show what happened to that step: when it was scheduled, the attempt that
 * completed it, and when.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { api, settledSaga } from './api.ts';
import { setFaults } from './faults.ts';
import { newBook, newMember } from './library.ts';
import { decodingClient } from './temporal.ts';

const EventType = temporal.api.enums.v1.EventType;

export interface HeldSagas {
  members: { token: string; memberId: string }[];
  books: { bookNo: number }[];
  workflowIds: string[];
  locations: string[];
}

/** Starts `count` rents whose awardPoints step waits `holdMs` first; answers once every one of them is waiting there. */
export async function rentsHeldInAwardPoints(count: number, holdMs: number): Promise<HeldSagas> {
  const members = await Promise.all(Array.from({ length: count }, () => newMember()));
  const books = await Promise.all(members.map(() => newBook()));
  setFaults(members.map((member) => ({ activity: 'awardPoints', inputContains: member.memberId, delayMs: holdMs, fail: false })));
  const accepted = await Promise.all(
    members.map((member, i) => api('/rentals', { method: 'POST', token: member.token, json: { bookNo: books[i]!.bookNo } })),
  );
  const locations = accepted.map((response) => response.headers.get('location')!);
  const workflowIds = accepted.map((response) => `rent-${response.body.id as string}`);
  const client = await decodingClient();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const states = await Promise.all(workflowIds.map((id) => stepState(client, id, 'awardPoints')));
      if (states.some((state) => state.completed))
        throw new Error('a rent got through awardPoints before every rent had reached it; hold the step longer');
      if (states.every((state) => state.scheduled)) break;
      if (Date.now() > deadline) throw new Error('the rents never reached awardPoints');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.connection.close();
  }
  return { members, books, workflowIds, locations };
}

/** Whether the saga has scheduled the step, and whether the step has completed. */
async function stepState(client: Client, workflowId: string, activity: string): Promise<{ scheduled: boolean; completed: boolean }> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity);
  if (!scheduled) return { scheduled: false, completed: false };
  const completed = events.some(
    (event) => String(event.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(scheduled.eventId),
  );
  return { scheduled: true, completed };
}

export interface StepAcrossFault {
  workflowId: string;
  scheduledAt: Date;
  completedAt: Date;
  /** The attempt that completed the step: above 1 when it failed and was retried. */
  attempt: number;
  lastFailure?: string;
}

/** The held step of each saga, from its history. */
export async function heldStepHistories(workflowIds: string[], activity = 'awardPoints'): Promise<StepAcrossFault[]> {
  const client = await decodingClient();
  try {
    return await Promise.all(
      workflowIds.map(async (workflowId) => {
        const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
        const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity)!;
        const started = events.find(
          (event) =>
            event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
            String(event.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
        )!;
        const completed = events.find(
          (event) =>
            event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
            String(event.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
        )!;
        const time = (event: typeof scheduled) =>
          new Date(Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6));
        return {
          workflowId,
          scheduledAt: time(scheduled),
          completedAt: time(completed),
          attempt: started.activityTaskStartedEventAttributes!.attempt ?? 1,
          ...(started.activityTaskStartedEventAttributes?.lastFailure?.message
            ? { lastFailure: started.activityTaskStartedEventAttributes.lastFailure.message }
            : {}),
        };
      }),
    );
  } finally {
    await client.connection.close();
  }
}

/** Waits for every held saga to end; answers their statuses. */
export async function settleHeld(held: HeldSagas, timeoutMs: number): Promise<string[]> {
  const sagas = await Promise.all(held.locations.map((location, i) => settledSaga(location, timeoutMs, held.members[i]!.token)));
  setFaults([]);
  return sagas.map((saga) => saga.status as string);
}

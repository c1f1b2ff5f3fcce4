import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TEnvelope } from '../contracts/events.ts';
import { subscribe } from './consumer.ts';

const signedUp: TEnvelope<'auth.member-signed-up.v1'> = {
  eventId: randomUUID(),
  type: 'auth.member-signed-up.v1',
  schemaVersion: 1,
  occurredAt: new Date().toISOString(),
  aggregateId: 'm-1',
  payload: { memberId: randomUUID(), role: 'USER', signedUpAt: new Date().toISOString() },
};

describe('subscribe', () => {
  it("hands its handlers the events of its topic, typed, and refuses another topic's", async () => {
    const seen: string[] = [];
    const subscription = subscribe(
      'auth.member-signed-up.v1',
      async (event) => void seen.push(event.payload.role),
      async (events) => void seen.push(...events.map((event) => event.payload.memberId)),
    );
    await subscription.handle(signedUp);
    await subscription.handleBatch?.([signedUp]);
    expect(seen).toEqual(['USER', signedUp.payload.memberId]);
    const other: TEnvelope = {
      ...signedUp,
      type: 'member.partner-registered.v1',
      payload: { memberId: randomUUID(), registeredAt: signedUp.occurredAt },
    };
    await expect(subscription.handle(other)).rejects.toThrow(
      'a member.partner-registered.v1 event was handed to the auth.member-signed-up.v1 subscription',
    );
  });
});

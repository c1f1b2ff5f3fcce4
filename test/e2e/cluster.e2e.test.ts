/**
 * The cluster profile's topology, as the running stack has it (skipped on the
 * single-node profiles): every event topic on three brokers with min ISR 2
 * and leaders spread, and the two API processes serving one system — a rent
 * started through one is seen, and returned, through the other.
 */
import { describe, expect, inject, it } from 'vitest';
import kafkajs from 'kafkajs';
import { catalogTopics, readTopicStates } from '../../services/platform/kafka-topics.ts';
import { settledSaga } from '../support/api.ts';
import { newBook, newMember } from '../support/library.ts';

const stack = inject('stack');
const cluster = stack.apiUrls.length > 1;

async function call(apiUrl: string, path: string, token: string, init: { method?: string; json?: unknown } = {}) {
  const response = await fetch(`${apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.json ? { 'content-type': 'application/json' } : {}) },
    body: init.json ? JSON.stringify(init.json) : undefined,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe.skipIf(!cluster)('the cluster profile', () => {
  it('keeps every event and dead-letter topic on three brokers, two in sync, leaders on every broker', async () => {
    const admin = new kafkajs.Kafka({
      clientId: 'cluster-test',
      brokers: stack.kafkaBrokers.split(','),
      logLevel: kafkajs.logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers).toHaveLength(3);
      const states = await readTopicStates(
        admin,
        catalogTopics().map((t) => t.name),
      );
      expect(states).toHaveLength(catalogTopics().length);
      for (const state of states)
        expect(state, state.name).toMatchObject({
          replicationFactor: 3,
          minInSyncReplicas: 2,
          retentionMs: -1,
          uncleanLeaderElection: false,
        });
      // Leaders on more than one broker (after a broker restart, within the controller's 10 s rebalance check).
      const leaders = async () =>
        new Set((await admin.fetchTopicMetadata({ topics: ['rental.item-rented.v1'] })).topics[0]!.partitions.map((p) => p.leader)).size;
      for (const deadline = Date.now() + 30_000; (await leaders()) < 2 && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 500));
      expect(await leaders()).toBeGreaterThan(1);
    } finally {
      await admin.disconnect();
    }
  });

  it('the two API processes serve one system: rent through one, see it and return it through the other', async () => {
    const [first, second] = stack.apiUrls as [string, string];
    const { token } = await newMember();
    const { bookNo } = await newBook();
    const rent = await call(first, '/rentals', token, { method: 'POST', json: { bookNo } });
    expect(rent.status).toBe(202);
    // The saga's status, read through the other API process.
    const location = rent.headers.get('location')!;
    const seen = await call(second, location, token);
    expect(seen.status).toBe(200);
    expect((await settledSaga(location, 60_000, token)).status).toBe('COMPLETED');
    const returned = await call(second, '/returns', token, { method: 'POST', json: { bookNo } });
    expect(returned.status).toBe(202);
    expect((await settledSaga(returned.headers.get('location')!, 60_000, token)).status).toBe('COMPLETED');
    const card = await call(first, '/members/me/rental-card', token);
    expect(card.status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { clusterDidNotForm } from './infra.ts';

const failedStart = (...messages: string[]) =>
  new AggregateError(
    messages.map((message) => new Error(message)),
    'infrastructure failed to start',
  );

describe('a cluster start that is tried once more', () => {
  it('is one where every failure is a broker missing from the cluster', () => {
    expect(
      clusterDidNotForm(
        failedStart(
          'the cluster has 2 broker(s), fewer than KAFKA_TOPIC_REPLICATION_FACTOR=3',
          'the cluster has 1 broker(s), fewer than KAFKA_TOPIC_REPLICATION_FACTOR=3',
        ),
      ),
    ).toBe(true);
  });

  it('is not one where anything else failed too, or nothing says why', () => {
    expect(
      clusterDidNotForm(
        failedStart('the cluster has 2 broker(s), fewer than KAFKA_TOPIC_REPLICATION_FACTOR=3', 'postgres did not become ready in 60 s'),
      ),
    ).toBe(false);
    expect(clusterDidNotForm(failedStart())).toBe(false);
    expect(clusterDidNotForm(new Error('the cluster has 2 broker(s), fewer than KAFKA_TOPIC_REPLICATION_FACTOR=3'))).toBe(false);
  });
});

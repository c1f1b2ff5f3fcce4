import { describe, expect, it } from 'vitest';
import { proxyPlan, toxiproxyPortsOf, withProxiedKafkaListener } from './toxiproxy.ts';

const BROKER_LINES = [
  'listeners=PLAINTEXT://127.0.0.1:10192,CONTROLLER://127.0.0.1:10195',
  'advertised.listeners=PLAINTEXT://127.0.0.1:10192',
  'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
];

describe('Toxiproxy of the test profiles', () => {
  it('runs in test and testN only, on ports of its own per profile; dev and cluster run without it', () => {
    expect(toxiproxyPortsOf('test')).toEqual({ api: 8474, postgres: 8475, temporal: 8476, kafka: 8477, kafkaUpstream: 8478 });
    expect(toxiproxyPortsOf('test5')?.api).toBe(8974);
    expect(toxiproxyPortsOf('cluster')).toBeUndefined();
    expect(toxiproxyPortsOf('dev')).toBeUndefined();
  });

  it('adds the PROXIED listener to a test profile broker only; the cluster and dev brokers are unchanged', () => {
    expect(withProxiedKafkaListener('cluster', BROKER_LINES)).toEqual(BROKER_LINES);
    expect(withProxiedKafkaListener('dev', BROKER_LINES)).toEqual(BROKER_LINES);
    expect(withProxiedKafkaListener('test2', BROKER_LINES)).toEqual([
      `${BROKER_LINES[0]},PROXIED://127.0.0.1:8678`,
      `${BROKER_LINES[1]},PROXIED://127.0.0.1:8677`,
      `${BROKER_LINES[2]},PROXIED:PLAINTEXT`,
    ]);
  });

  it('sends every role of the owner server through the PostgreSQL proxy, keeping each role; another server stays direct', () => {
    const { proxies, env } = proxyPlan(toxiproxyPortsOf('test5')!, {
      databaseUrls: {
        DATABASE_URL: 'postgresql://owner:pw@127.0.0.1:15933/bookrental',
        AUTH_DATABASE_URL: 'postgresql://svc_auth:dev-auth-password@127.0.0.1:15933/bookrental',
        RELAY_DATABASE_URL: 'postgresql://svc_relay:dev-relay-password@127.0.0.1:15933/bookrental?schema=x',
        BOOK_DATABASE_URL: 'postgresql://svc_book:pw@db.elsewhere:5432/books',
      },
      TEMPORAL_ADDRESS: '127.0.0.1:7743',
      kafka: true,
    });
    expect(proxies).toEqual([
      { name: 'postgres', listen: '127.0.0.1:8975', upstream: '127.0.0.1:15933', enabled: true },
      { name: 'temporal', listen: '127.0.0.1:8976', upstream: '127.0.0.1:7743', enabled: true },
      { name: 'kafka', listen: '127.0.0.1:8977', upstream: '127.0.0.1:8978', enabled: true },
    ]);
    expect(env).toEqual({
      DATABASE_URL: 'postgresql://owner:pw@127.0.0.1:8975/bookrental',
      AUTH_DATABASE_URL: 'postgresql://svc_auth:dev-auth-password@127.0.0.1:8975/bookrental',
      RELAY_DATABASE_URL: 'postgresql://svc_relay:dev-relay-password@127.0.0.1:8975/bookrental?schema=x',
      TEMPORAL_ADDRESS: '127.0.0.1:8976',
      KAFKA_BROKERS: '127.0.0.1:8977',
    });
  });

  it('leaves Kafka direct when the profile uses brokers it does not run', () => {
    const { proxies, env } = proxyPlan(toxiproxyPortsOf('test')!, {
      databaseUrls: { DATABASE_URL: 'postgresql://owner:pw@127.0.0.1:15433/bookrental' },
      TEMPORAL_ADDRESS: '127.0.0.1:7243',
      kafka: false,
    });
    expect(proxies.map((proxy) => proxy.name)).toEqual(['postgres', 'temporal']);
    expect(env.KAFKA_BROKERS).toBeUndefined();
  });
});

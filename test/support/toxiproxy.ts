/**
 * Network faults between the app processes and the servers: the test stack runs the processes
 * through Toxiproxy (scripts/infra/toxiproxy.ts), and these calls add and remove its toxics.
 * The suites' own clients connect to the servers directly, so they see the truth while a toxic acts.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { ProxyName } from '../../scripts/infra/toxiproxy.ts';
import { ALL_TOPICS, deadLetterTopic } from '../../services/contracts/events.ts';
import { stack } from './api.ts';

export type { ProxyName };
export type ToxicType = 'latency' | 'reset_peer' | 'timeout' | 'bandwidth' | 'slow_close' | 'slicer' | 'limit_data';

export interface Toxic {
  /** Unique per proxy. */
  name: string;
  type: ToxicType;
  /** downstream: server to app; upstream: app to server. */
  stream?: 'downstream' | 'upstream';
  /** The share of connections it acts on (0..1). */
  toxicity?: number;
  attributes: Record<string, number>;
}

async function toxiproxy(path: string, method: string, body?: unknown): Promise<unknown> {
  const url = stack().toxiproxyUrl;
  if (!url) throw new Error('the test stack runs without Toxiproxy (TEST_PROCESSES=0?)');
  const response = await fetch(url + path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`toxiproxy ${method} ${path} answered ${response.status}: ${text}`);
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
}

export async function addToxic(proxy: ProxyName, toxic: Toxic): Promise<void> {
  await toxiproxy(`/proxies/${proxy}/toxics`, 'POST', { stream: 'downstream', toxicity: 1, ...toxic });
}

export async function removeToxic(proxy: ProxyName, name: string): Promise<void> {
  await toxiproxy(`/proxies/${proxy}/toxics/${name}`, 'DELETE');
}

/** A disabled proxy closes its connections and refuses new ones. */
export async function setProxyEnabled(proxy: ProxyName, enabled: boolean): Promise<void> {
  await toxiproxy(`/proxies/${proxy}`, 'POST', { enabled });
}

/** Every proxy enabled, every toxic gone (afterAll of each network-fault suite). */
export async function resetProxies(): Promise<void> {
  await toxiproxy('/reset', 'POST');
}

/** Bytes the proxy has passed from the server to the app processes since Toxiproxy started. */
export async function bytesThrough(proxy: ProxyName): Promise<number> {
  const response = await fetch(`${stack().toxiproxyUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('toxiproxy_proxy_sent_bytes_total{') &&
        line.includes(`proxy="${proxy}"`) &&
        line.includes('direction="downstream"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** Messages on every dead-letter topic (`<topic>.dlq`), read from the broker directly: a transient fault must add none. */
export async function deadLetterMessages(): Promise<number> {
  const kafka = new Kafka({ clientId: 'test-dead-letters', brokers: stack().kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    let total = 0;
    for (const topic of ALL_TOPICS.map(deadLetterTopic).filter((name) => existing.has(name))) {
      for (const partition of await admin.fetchTopicOffsets(topic)) total += Number(partition.high);
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

/**
 * `Prefer: wait` against polling: one member rents and returns a book, one saga
 * at a time, each saga once answered by `Prefer: wait=10` and once by polling
 * its Location every 100 ms (as test/support/api.ts does), alternating, and the
 * time until the client holds the final status and the requests it took are printed.
 */
import type { Api, Library } from './http.ts';
import { now, summarize } from './stats.ts';

const POLL_MS = 100;

interface Way {
  latencies: number[];
  requests: number;
  sagas: number;
}

async function viaWait(api: Api, path: string, bookNo: number, token: string, way: Way): Promise<boolean> {
  const started = now();
  const answer = await api.post(path, { bookNo }, token, { prefer: 'wait=10' });
  way.requests += 1;
  if (answer.status !== 200) return false;
  way.latencies.push(now() - started);
  way.sagas += 1;
  return answer.body?.status === 'COMPLETED';
}

async function viaPolling(api: Api, path: string, bookNo: number, token: string, way: Way): Promise<boolean> {
  const started = now();
  const accepted = await api.post(path, { bookNo }, token);
  way.requests += 1;
  if (accepted.status !== 202) return false;
  const location = `${path}/${accepted.body!.id as string}`;
  for (;;) {
    const { body } = await api.get(location, token);
    way.requests += 1;
    if (body?.status !== 'RUNNING') {
      way.latencies.push(now() - started);
      way.sagas += 1;
      return body?.status === 'COMPLETED';
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface PreferWaitReport {
  rounds: number;
  wait: { p50: number; p99: number; max: number; requestsPerSaga: number };
  polling: { p50: number; p99: number; max: number; requestsPerSaga: number };
}

export async function measurePreferWait(api: Api, library: Library, rounds: number): Promise<PreferWaitReport> {
  const slot = library.slots.find((candidate) => !candidate.rented)!;
  const wait: Way = { latencies: [], requests: 0, sagas: 0 };
  const polling: Way = { latencies: [], requests: 0, sagas: 0 };
  for (let round = 0; round < rounds; round++) {
    const way = round % 2 === 0 ? wait : polling;
    const run = way === wait ? viaWait : viaPolling;
    if (!(await run(api, '/rentals', slot.bookNo, slot.member.token, way))) throw new Error('prefer-wait: a rent did not complete');
    if (!(await run(api, '/returns', slot.bookNo, slot.member.token, way))) throw new Error('prefer-wait: a return did not complete');
  }
  const figures = (way: Way) => {
    const stats = summarize(way.latencies);
    return { p50: stats.p50, p99: stats.p99, max: stats.max, requestsPerSaga: way.requests / way.sagas };
  };
  return { rounds, wait: figures(wait), polling: figures(polling) };
}

export function formatPreferWait(report: PreferWaitReport): string {
  const line = (name: string, f: PreferWaitReport['wait']) =>
    `  ${name.padEnd(22)} p50 ${f.p50.toFixed(0)} ms, p99 ${f.p99.toFixed(0)} ms, max ${f.max.toFixed(0)} ms, ${f.requestsPerSaga.toFixed(1)} requests per saga`;
  return [
    `prefer-wait: ${report.rounds} rounds of rent + return, one saga at a time`,
    line('Prefer: wait=10', report.wait),
    line(`polling every ${POLL_MS} ms`, report.polling),
  ].join('\n');
}

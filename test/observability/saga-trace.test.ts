/**
 * One saga is one trace, and the metrics move. The four processes run inside
 * this test process (tracing into memory), so it needs servers that no app
 * process polls: it runs under TEST_PROCESSES=0 (scripts/test.sh runs it so
 * after the main suite) and is skipped beside the stack's own processes.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { setupTracing } from '../../services/platform/tracing.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { serveMetrics } from '../../services/platform/metrics.ts';
import { buildApi } from '../../processes/api.ts';
import { CONSUMER_GROUPS, startConsumers } from '../../processes/consumers.ts';
import { confirmationLink } from '../support/mail.ts';
import { startRelayProcess } from '../../processes/relay.ts';
import { createWorkers, parseQueues } from '../../processes/worker.ts';
import { eventually, signupBody } from '../support/api.ts';
import { sample } from '../support/metrics.ts';
import { waitForConsumerGroups } from '../support/kafka.ts';

// Before anything makes a span: every span of this process ends up here.
const spans = new InMemorySpanExporter();
setupTracing({ serviceName: 'book-rental-test', spanExporter: spans });

const stack = inject('stack');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(stack.processes)('observability of one saga, all four processes in this one', () => {
  const metricsPort = freePort();
  let running: Awaited<ReturnType<typeof start>>;

  async function start() {
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      KAFKA_BROKERS: stack.kafkaBrokers,
      SMTP_URL: stack.smtpUrl,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      METRICS_PORT: String(await metricsPort),
    });
    const runtime = { config, logger: createLogger({ name: 'observability-test', level: config.LOG_LEVEL }) };
    const workers = await createWorkers(runtime, parseQueues(undefined));
    const workersRunning = workers.run();
    const relay = await startRelayProcess(runtime);
    const consumers = await startConsumers(runtime);
    const api = await buildApi(runtime);
    const metrics = await serveMetrics({ port: config.METRICS_PORT!, logger: runtime.logger, host: '127.0.0.1' });
    await waitForConsumerGroups(stack.kafkaBrokers, Object.values(CONSUMER_GROUPS), 120_000);
    return {
      app: api.app,
      consumers,
      async stop() {
        await metrics.close();
        await api.close();
        await consumers.stop();
        await relay.stop();
        for (const worker of workers.workers) worker.shutdown();
        await workersRunning;
        await workers.close();
      },
    };
  }

  beforeAll(async () => {
    running = await start();
  }, 180_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);

  async function call(path: string, init: { method?: string; json?: unknown; token?: string } = {}) {
    const headers: Record<string, string> = {};
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const response = await running.app.request(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, location: response.headers.get('location'), body: text ? JSON.parse(text) : undefined };
  }

  /** POST /rentals once rental's copy of the catalog knows the book: a 404 BOOK_NOT_FOUND starts nothing, so asking again is safe. */
  async function rentWhenKnown(bookNo: number, token: string) {
    return eventually(async () => {
      const answer = await call('/rentals', { method: 'POST', token, json: { bookNo } });
      return answer.status === 404 ? undefined : answer;
    }, 30_000);
  }

  async function settled(location: string, token?: string) {
    return eventually(async () => {
      const { body } = await call(location, token ? { token } : {});
      return body.status === 'RUNNING' ? undefined : body;
    }, 30_000);
  }

  /** POST /signups, then the confirmation link from the mail (Mailpit), as a member would. */
  async function signUpConfirmed(member: ReturnType<typeof signupBody>) {
    const signup = await call('/signups', { method: 'POST', json: member });
    expect(signup.status).toBe(202);
    expect((await call((await confirmationLink(member.email, signup.body.id)).path)).status).toBe(200);
    return signup;
  }

  async function login(email: string, password: string): Promise<string> {
    const { status, body } = await call('/auth/login', { method: 'POST', json: { email, password } });
    expect(status).toBe(200);
    return body.token;
  }

  const finished = () => spans.getFinishedSpans();
  const named = (trace: ReadableSpan[], name: string) => trace.filter((span) => span.name === name);
  function one(trace: ReadableSpan[], name: string): ReadableSpan {
    const found = named(trace, name);
    expect(
      found.map((span) => span.name),
      `exactly one span ${name}`,
    ).toEqual([name]);
    return found[0]!;
  }
  function expectChild(child: ReadableSpan, parent: ReadableSpan) {
    expect(child.spanContext().traceId, `${child.name} in the trace of ${parent.name}`).toBe(parent.spanContext().traceId);
    expect(child.parentSpanId, `${child.name} is a child of ${parent.name}`).toBe(parent.spanContext().spanId);
  }

  it('a rent is one trace: HTTP -> StartWorkflow -> RunWorkflow -> activities -> outbox publish -> each consumer group', async () => {
    const member = signupBody({ role: 'PARTNER' });
    const signup = await signUpConfirmed(member);
    expect((await settled(signup.location!)).status).toBe('COMPLETED');
    const token = await login(member.email, member.password);
    const admin = await login('admin@library.local', 'admin-password');
    const book = await call('/books', {
      method: 'POST',
      token: admin,
      json: { title: `Traced ${randomUUID().slice(0, 8)}`, author: 'A. Author' },
    });
    expect(book.status).toBe(201);

    const accepted = await rentWhenKnown(book.body.bookNo, token);
    expect(accepted.status).toBe(202);
    expect((await settled(accepted.location!, token)).status).toBe('COMPLETED');

    // The last POST /rentals: any before it were refused at once (rental had not heard of the book yet).
    const server = await eventually(async () =>
      finished()
        .filter((span) => span.name === 'POST /rentals' && span.kind === SpanKind.SERVER)
        .at(-1),
    );
    const traceId = server.spanContext().traceId;
    const inTrace = () => finished().filter((span) => span.spanContext().traceId === traceId);
    // Every group consuming item-rented has applied it (each group's span ended).
    const groups = [CONSUMER_GROUPS.bestBook, CONSUMER_GROUPS.memberHistory, CONSUMER_GROUPS.partnerSummary, CONSUMER_GROUPS.notifications];
    const consumed = await eventually(async () => {
      const found = named(inTrace(), 'rental.item-rented.v1 process');
      return found.length >= groups.length ? found : undefined;
    }, 30_000);
    const trace = inTrace();

    const start = one(trace, 'StartWorkflow:rentWorkflow');
    expectChild(start, server);
    const run = one(trace, 'RunWorkflow:rentWorkflow');
    expectChild(run, start);
    for (const activity of ['addRentalItem', 'markBookRented', 'awardPoints', 'confirmRentalItem']) {
      const scheduled = one(trace, `StartActivity:${activity}`);
      expectChild(scheduled, run);
      expectChild(one(trace, `RunActivity:${activity}`), scheduled);
    }
    expectChild(one(trace, 'StartChildWorkflow:loanWorkflow'), run);

    const publish = one(trace, 'rental.item-rented.v1 publish');
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expectChild(publish, one(trace, 'RunActivity:confirmRentalItem'));
    expect(new Set(consumed.map((span) => span.attributes['messaging.kafka.consumer.group']))).toEqual(new Set(groups));
    for (const span of consumed) {
      expect(span.kind).toBe(SpanKind.CONSUMER);
      expectChild(span, publish);
      expect(span.status.code, span.attributes['messaging.kafka.consumer.group'] as string).not.toBe(2 /* ERROR */);
    }

    // The book's own event: POST /books -> book.book-changed.v1 publish -> the consumers of titles.
    const bookServer = finished().find((span) => span.name === 'POST /books')!;
    const bookTrace = () => finished().filter((span) => span.spanContext().traceId === bookServer.spanContext().traceId);
    const bookPublish = await eventually(async () => bookTrace().find((span) => span.name === 'book.book-changed.v1 publish'));
    expectChild(bookPublish, bookServer);
  });

  it('a signup is one trace, down to the partner summary consumer', async () => {
    const member = signupBody({ role: 'PARTNER' });
    const signup = await signUpConfirmed(member);
    expect((await settled(signup.location!)).status).toBe('COMPLETED');
    const server = finished()
      .filter((span) => span.name === 'POST /signups')
      .at(-1)!;
    const traceId = server.spanContext().traceId;
    const inTrace = () => finished().filter((span) => span.spanContext().traceId === traceId);
    const consumed = await eventually(async () => inTrace().find((span) => span.name === 'member.partner-registered.v1 process'), 30_000);
    const trace = inTrace();
    const run = one(trace, 'RunWorkflow:signupWorkflow');
    expectChild(run, one(trace, 'StartWorkflow:signupWorkflow'));
    expectChild(one(trace, 'StartWorkflow:signupWorkflow'), server);
    const steps = ['createCredentials', 'createProfile', 'openRentalCard', 'activateProfile', 'activateCredentials'];
    for (const activity of steps) expectChild(one(trace, `RunActivity:${activity}`), one(trace, `StartActivity:${activity}`));
    const publish = one(trace, 'member.partner-registered.v1 publish');
    expectChild(publish, one(trace, 'RunActivity:activateProfile'));
    expectChild(one(trace, 'auth.member-signed-up.v1 publish'), one(trace, 'RunActivity:activateCredentials'));
    expectChild(consumed, publish);
  });

  it('the api and the worker count requests, sagas, compensations, activities; relay and consumers their outboxes and groups', async () => {
    const scrapeWorker = async () => (await fetch(`http://127.0.0.1:${await metricsPort}/metrics`)).text();
    const scrapeApi = async () => (await running.app.request('/metrics')).text();
    const before = { worker: await scrapeWorker(), api: await scrapeApi() };

    // A member renting a book they already hold: refused at the first step, whose undo runs.
    const member = signupBody();
    const signup = await signUpConfirmed(member);
    expect((await settled(signup.location!)).status).toBe('COMPLETED');
    const token = await login(member.email, member.password);
    const admin = await login('admin@library.local', 'admin-password');
    const book = await call('/books', { method: 'POST', token: admin, json: { title: 'Counted', author: 'A. Author' } });
    expect((await settled((await rentWhenKnown(book.body.bookNo, token)).location!, token)).status).toBe('COMPLETED');
    const again = await settled((await call('/rentals', { method: 'POST', token, json: { bookNo: book.body.bookNo } })).location!, token);
    expect(again.status).toBe('COMPENSATED');

    const after = { worker: await scrapeWorker(), api: await scrapeApi() };
    const moved = (text: 'worker' | 'api', name: string, labels: Record<string, string>) =>
      sample(after[text], name, labels) - sample(before[text], name, labels);
    expect(moved('api', 'bookrental_http_request_duration_seconds_count', { method: 'POST', route: '/rentals', status: '202' })).toBe(2);
    expect(
      moved('api', 'bookrental_http_request_duration_seconds_count', { method: 'GET', route: '/rentals/:id', status: '200' }),
    ).toBeGreaterThanOrEqual(2);
    expect(moved('worker', 'bookrental_sagas_started_total', { saga_type: 'signup' })).toBe(1);
    expect(moved('worker', 'bookrental_sagas_started_total', { saga_type: 'rent' })).toBe(2);
    expect(moved('worker', 'bookrental_sagas_ended_total', { saga_type: 'signup', outcome: 'COMPLETED' })).toBe(1);
    expect(moved('worker', 'bookrental_sagas_ended_total', { saga_type: 'rent', outcome: 'COMPLETED' })).toBe(1);
    expect(moved('worker', 'bookrental_sagas_ended_total', { saga_type: 'rent', outcome: 'COMPENSATED' })).toBe(1);
    expect(
      moved('worker', 'bookrental_saga_compensations_total', { saga_type: 'rent', step: 'addRentalItem', outcome: 'COMPENSATED' }),
    ).toBe(1);
    expect(
      moved('worker', 'bookrental_activity_duration_seconds_count', {
        task_queue: 'rental',
        activity_type: 'addRentalItem',
        outcome: 'refused',
      }),
    ).toBe(1);
    expect(
      moved('worker', 'bookrental_activity_duration_seconds_count', {
        task_queue: 'book',
        activity_type: 'markBookRented',
        outcome: 'completed',
      }),
    ).toBe(1);

    // This process is also the relay and the consumers: the same registry answers for them.
    await eventually(async () => {
      const text = await scrapeWorker();
      return sample(text, 'bookrental_consumer_processed_total', { group: CONSUMER_GROUPS.bestBook, topic: 'rental.item-rented.v1' }) >=
        sample(before.worker, 'bookrental_consumer_processed_total', { group: CONSUMER_GROUPS.bestBook, topic: 'rental.item-rented.v1' }) +
          1
        ? true
        : undefined;
    }, 30_000);
    await running.consumers.lag.refresh();
    const text = await scrapeWorker();
    expect(sample(text, 'bookrental_outbox_published_total', { outbox: 'rental', topic: 'rental.item-rented.v1' })).toBeGreaterThanOrEqual(
      2,
    );
    expect(text).toMatch(/^bookrental_outbox_backlog\{outbox="rental"\} \d+$/m);
    expect(text).toMatch(/^bookrental_outbox_oldest_unpublished_seconds\{outbox="book"\} [\d.e+-]+$/m);
    expect(text).toMatch(/^bookrental_consumer_lag\{group="best-book",topic="rental.item-rented.v1",partition="\d"\} \d+$/m);
    expect(text).toMatch(/^bookrental_dlq_messages\{topic="rental.item-rented.v1.dlq"\} \d+$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

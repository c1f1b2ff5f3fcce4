/**
 * Each process serves Prometheus metrics (README "Operations"): after a rent
 * and a refused rent, the api, worker, relay and consumers processes of the
 * test stack show their counters moved.
 */
import { describe, expect, inject, it } from 'vitest';
import { api, eventually } from '../support/api.ts';
import { newBook, newMember, rent } from '../support/library.ts';
import { sample } from '../support/metrics.ts';

const stack = inject('stack');

const scrape = async (process: keyof typeof stack.metricsUrls) => {
  const response = await fetch(stack.metricsUrls[process]);
  expect(response.status, process).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

describe.skipIf(!stack.processes)('metrics of the four processes', () => {
  it('count HTTP requests, sagas and their compensations, outbox rows and consumed events', async () => {
    // The worker may still be bundling its workflows when the suite starts; its endpoint answers meanwhile.
    const before = {
      api: await scrape('api'),
      worker: await scrape('worker'),
      relay: await scrape('relay'),
      consumers: await scrape('consumers'),
    };
    const { token } = await newMember();
    const { bookNo } = await newBook();
    expect((await rent(token, bookNo)).status).toBe('COMPLETED');
    expect((await rent(token, bookNo)).status).toBe('COMPENSATED'); // ALREADY_HOLDING_BOOK: the first step is undone

    const moved = async (process: keyof typeof stack.metricsUrls, name: string, labels: Record<string, string>) =>
      sample(await scrape(process), name, labels) - sample(before[process], name, labels);
    // Other suites use the same processes at the same time: at least ours.
    expect(
      await moved('api', 'bookrental_http_request_duration_seconds_count', { method: 'POST', route: '/rentals', status: '202' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await moved('api', 'bookrental_http_request_duration_seconds_count', { method: 'POST', route: '/signups', status: '202' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await moved('worker', 'bookrental_sagas_ended_total', { saga_type: 'rent', outcome: 'COMPLETED' })).toBeGreaterThanOrEqual(1);
    expect(await moved('worker', 'bookrental_sagas_ended_total', { saga_type: 'rent', outcome: 'COMPENSATED' })).toBeGreaterThanOrEqual(1);
    expect(await moved('worker', 'bookrental_sagas_ended_total', { saga_type: 'signup', outcome: 'COMPLETED' })).toBeGreaterThanOrEqual(1);
    expect(
      await moved('worker', 'bookrental_saga_compensations_total', { saga_type: 'rent', step: 'addRentalItem', outcome: 'COMPENSATED' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await moved('worker', 'bookrental_activity_duration_seconds_count', { activity_type: 'addRentalItem', outcome: 'refused' }),
    ).toBeGreaterThanOrEqual(1);
    await eventually(async () =>
      (await moved('relay', 'bookrental_outbox_published_total', { outbox: 'rental', topic: 'rental.item-rented.v1' })) >= 1
        ? true
        : undefined,
    );
    await eventually(async () =>
      (await moved('consumers', 'bookrental_consumer_processed_total', { group: 'best-book', topic: 'rental.item-rented.v1' })) >= 1
        ? true
        : undefined,
    );
    expect(await scrape('relay')).toMatch(/^bookrental_outbox_backlog\{outbox="rental"\} \d+$/m);
  });

  it('the api serves /metrics outside the OpenAPI document, and scrapes are not counted as requests', async () => {
    expect((await api('/openapi.json')).body.paths).not.toHaveProperty('/metrics');
    await scrape('api');
    expect(await scrape('api')).not.toContain('route="/metrics"');
  });
});

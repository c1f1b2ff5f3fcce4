import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from './app.ts';

export type HealthCheck = () => Promise<unknown>;

const ZHealth = z.object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), z.enum(['ok', 'down'])) }).openapi('Health');

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Reachability of the database, Temporal and Kafka',
  responses: {
    200: { description: 'all checks pass', content: { 'application/json': { schema: ZHealth } } },
    503: { description: 'a check failed', content: { 'application/json': { schema: ZHealth } } },
  },
});

/** Each check gets two seconds; a slow dependency counts as down. */
export function healthRoutes(checks: Record<string, HealthCheck>) {
  return createRouter().openapi(healthRoute, async (c) => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        const outcome = await Promise.race([
          check().then(
            () => 'ok' as const,
            () => 'down' as const,
          ),
          new Promise<'down'>((resolve) => setTimeout(() => resolve('down'), 2000).unref()),
        ]);
        return [name, outcome] as const;
      }),
    );
    const healthy = entries.every(([, outcome]) => outcome === 'ok');
    return c.json({ status: healthy ? ('ok' as const) : ('degraded' as const), checks: Object.fromEntries(entries) }, healthy ? 200 : 503);
  });
}

import { OpenAPIHono } from '@hono/zod-openapi';
import { SpanKind, SpanStatusCode, context, propagation } from '@opentelemetry/api';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { AppError } from '../errors.ts';
import { withLogContext, type Logger } from '../logger.ts';
import { httpRequestDuration, metricsText } from '../metrics.ts';
import { tracer } from '../tracing.ts';
import { apiDocsRoutes } from './api-docs.ts';
import { errorResponse, issuesToDetails } from './problem.ts';

export type ApiEnv = { Variables: { requestId: string; principal?: import('../../auth/login.ts').TPrincipal } };

/** A router whose validation failures answer 400 VALIDATION_FAILED with the failing fields. */
export function createRouter() {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(c, 'VALIDATION_FAILED', 'the request is invalid', issuesToDetails(result.error.issues));
    },
  });
}

export function createApp(options: { logger: Logger; routers: OpenAPIHono<ApiEnv>[] }) {
  const app = createRouter();
  const { logger } = options;
  app.use(requestId());
  app.use(bodyLimit({ maxSize: 64 * 1024, onError: (c) => errorResponse(c, 'PAYLOAD_TOO_LARGE', 'the body is larger than 64 KiB') }));
  app.use(async (c, next) => {
    if (c.req.path === '/metrics') return next(); // scrapes are neither traced, timed nor logged
    const started = performance.now();
    // A SERVER span (continuing the caller's trace when it sent a traceparent); sagas started here join it.
    const parent = propagation.extract(context.active(), Object.fromEntries(c.req.raw.headers));
    await tracer().startActiveSpan(`${c.req.method}`, { kind: SpanKind.SERVER }, parent, (span) =>
      withLogContext({ requestId: c.get('requestId') }, async () => {
        try {
          await next();
        } finally {
          // The pattern of the handler that answered (the last one run), never the raw path: bounded label values.
          const route = routePath(c);
          const ms = performance.now() - started;
          span.updateName(`${c.req.method} ${route}`);
          span.setAttributes({
            'http.request.method': c.req.method,
            'http.route': route,
            'url.path': c.req.path,
            'http.response.status_code': c.res.status,
            'http.request_id': c.get('requestId'),
          });
          if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          httpRequestDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, ms / 1000);
          logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(ms) }, 'request');
        }
      }),
    );
  });
  for (const router of options.routers) app.route('/', router);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Book Rental Sagas API', version: '1.0.0', description: 'Sagas answer 202 with a status resource to poll.' },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.route('/', apiDocsRoutes({ documentUrl: '/openapi.json' }));
  // Prometheus (README "Operations"); like /health, for the network the operators scrape from.
  app.get('/metrics', async (c) => {
    const { contentType, body } = await metricsText();
    return c.body(body, 200, { 'content-type': contentType });
  });

  app.notFound((c) => errorResponse(c, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof AppError) return errorResponse(c, error.code, error.message, error.details);
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own refusals, such as a body that is not JSON.
      return errorResponse(c, 'VALIDATION_FAILED', error.message, [{ path: '', message: error.message }]);
    }
    logger.error({ requestId: c.get('requestId'), err: error }, 'unhandled error');
    return errorResponse(c, 'INTERNAL', 'something went wrong; the request id is in the logs');
  });
  return app;
}

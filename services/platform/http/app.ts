import { OpenAPIHono } from '@hono/zod-openapi';
import { SpanKind, SpanStatusCode, context, propagation } from '@opentelemetry/api';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import type { TPrincipal } from '../../contracts/principal.ts';
import { AppError, RetryLaterError } from '../errors.ts';
import { classifyFailure } from '../failures.ts';
import { withLogContext, type Logger } from '../logger.ts';
import { httpRequestDuration, metricsText } from '../metrics.ts';
import { tracer } from '../tracing.ts';
import { apiDocsRoutes } from './api-docs.ts';
import { methodNotAllowed } from './allowed-methods.ts';
import { errorResponse, issuesToDetails, withStandardErrors } from './problem.ts';
import { securityHeaders } from './security-headers.ts';

/** The largest request body the API reads (README "Security notes"). */
export const MAX_BODY_BYTES = 64 * 1024;

/** `Retry-After` of a 503 for an unreachable dependency. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** The only form routes are the codec and console sign-in pages and the console's actions; every other body is JSON. */
const declaredMediaType = (path: string) =>
  path === '/codec/login' || path === '/ops' || path.startsWith('/ops/') ? 'application/x-www-form-urlencoded' : 'application/json';

export type ApiEnv = { Variables: { requestId: string; principal?: TPrincipal } };

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
  app.use(securityHeaders());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      // The rest of the body is never read: the connection closes after this answer, so a keep-alive
      // client opens a new one instead of writing its next request after an unread body.
      onError: (c) => {
        c.header('Connection', 'close');
        return errorResponse(c, 'PAYLOAD_TOO_LARGE', 'the body is larger than 64 KiB');
      },
    }),
  );
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
  // Before every router's guards: a method a known path does not take is 405 for anyone.
  app.use(
    methodNotAllowed(() => ({
      documented: app.openAPIRegistry.definitions.flatMap((definition) => (definition.type === 'route' ? [definition.route] : [])),
      registered: app.routes,
    })),
  );
  for (const router of options.routers) app.route('/', router);

  app.get('/openapi.json', (c) => {
    withStandardErrors(app.openAPIRegistry.definitions);
    return c.json(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Book Rental Sagas API',
          version: '1.0.0',
          description:
            'Sagas answer 202 with a status resource to poll. Every error has the body `Error`. ' +
            'A method a path does not list answers 405 METHOD_NOT_ALLOWED with `Allow`; OPTIONS answers 204 with `Allow`.',
        },
      }),
    );
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
    if (error instanceof RetryLaterError) c.header('Retry-After', String(error.retryAfterSeconds));
    if (error instanceof AppError) return errorResponse(c, error.code, error.message, error.details);
    if (error instanceof HTTPException && error.status === 415) {
      // The route's validator found a body in a media type the route does not declare.
      return errorResponse(
        c,
        'UNSUPPORTED_MEDIA_TYPE',
        `the body must be ${declaredMediaType(c.req.path)}, not ${c.req.header('content-type') ?? 'untyped'}`,
      );
    }
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own refusals, such as a body that is not JSON.
      return errorResponse(c, 'VALIDATION_FAILED', error.message, [{ path: '', message: error.message }]);
    }
    if (classifyFailure(error) === 'transient') {
      // The database, Temporal or Kafka is unreachable, saturated or too slow for a moment (services/platform/failures.ts): try again, not a bug.
      logger.warn({ requestId: c.get('requestId'), err: error }, 'transient failure answered 503');
      c.header('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return errorResponse(c, 'SERVICE_UNAVAILABLE', 'a server the API needs is unavailable or did not answer in time; try again shortly');
    }
    logger.error({ requestId: c.get('requestId'), err: error }, 'unhandled error');
    return errorResponse(c, 'INTERNAL', 'something went wrong; the request id is in the logs');
  });
  return app;
}

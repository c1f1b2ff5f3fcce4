import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';

const common = {
  // A route that sets its own (the codec sign-in page) keeps it.
  overwrite: false,
  xFrameOptions: 'DENY',
  // The API is served over TLS behind a proxy in production; browsers ignore the header over plain HTTP.
  strictTransportSecurity: 'max-age=15552000; includeSubDomains',
} as const;

/** JSON answers: nothing may be loaded, framed or run from them. */
const apiHeaders = secureHeaders({ ...common, contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } });

/** Swagger UI, served by the API itself (services/platform/http/api-docs.ts): same-origin scripts only, calls to this API only. */
const docsHeaders = secureHeaders({
  ...common,
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  },
});

/** Standard security headers on every answer (nosniff, no framing, no referrer, a CSP); X-Powered-By removed. */
export const securityHeaders = () =>
  createMiddleware((c, next) => (c.req.path === '/docs' || c.req.path.startsWith('/docs/') ? docsHeaders(c, next) : apiHeaders(c, next)));

/**
 * 405 Method Not Allowed, derived from the routes the app registered: a known
 * path asked with a method none of its routes takes answers 405 with `Allow`
 * and the uniform error body (METHOD_NOT_ALLOWED), before any guard runs, so
 * every router mounted on the app gets it without declaring anything.
 * OPTIONS on a known path answers 204 with `Allow`, except a CORS preflight,
 * which the routes with a CORS policy answer themselves.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { errorResponse } from './problem.ts';

interface Route {
  method: string;
  path: string;
}

interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

/** `/books/:bookNo` -> /^\/books\/[^/]+$/ (and `:name{regex}` -> that regex). */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^:\w+(?:\{(.+)\})?$/.exec(segment);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Methods per path pattern. Middleware entries are left out: `use()` registers
 * method ALL, and guards registered for some methods (`on(['POST'], '/books/*')`)
 * use wildcard paths, which no endpoint here does.
 */
export function methodTable(routes: readonly Route[]): PathMethods[] {
  const byPath = new Map<string, Set<string>>();
  for (const { method, path } of routes) {
    if (method === 'ALL' || path.includes('*')) continue;
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method.toUpperCase());
    byPath.set(path, methods);
  }
  return [...byPath].map(([path, methods]) => ({ pattern: patternOf(path), methods }));
}

/** The methods a path takes (HEAD wherever GET is: the app answers HEAD with GET's handler), or undefined for an unknown path. */
export function allowedMethods(table: readonly PathMethods[], path: string): Set<string> | undefined {
  let allowed: Set<string> | undefined;
  for (const entry of table) {
    if (!entry.pattern.test(path)) continue;
    allowed ??= new Set();
    for (const method of entry.methods) allowed.add(method);
  }
  if (allowed?.has('GET')) allowed.add('HEAD');
  return allowed;
}

const allowHeader = (allowed: Set<string>) => [...allowed, 'OPTIONS'].join(', ');

/** The middleware; `routes` is read at the first request, when every router is mounted. */
export function methodNotAllowed(routes: () => readonly Route[]): MiddlewareHandler {
  let table: PathMethods[] | undefined;
  return async (c: Context, next) => {
    table ??= methodTable(routes());
    const allowed = allowedMethods(table, c.req.path);
    if (!allowed || allowed.has(c.req.method)) return next();
    if (c.req.method === 'OPTIONS') {
      if (c.req.header('access-control-request-method')) return next();
      return c.body(null, 204, { Allow: allowHeader(allowed) });
    }
    c.header('Allow', allowHeader(allowed));
    return errorResponse(c, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${[...allowed].join(', ')}`);
  };
}

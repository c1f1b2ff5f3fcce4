/**
 * 405 Method Not Allowed, derived from the routes the app registered: a known
 * path asked with a method none of its routes takes answers 405 with `Allow`
 * and the uniform error body (METHOD_NOT_ALLOWED), before any guard runs, so
 * every router mounted on the app gets it without declaring anything.
 * OPTIONS on a known path answers 204 with `Allow`, except a CORS preflight,
 * which the routes with a CORS policy answer themselves.
 *
 * The documented routes (the OpenAPI registry) are the truth for the paths
 * they name: the services also register guards for some methods on those
 * paths (`on(['POST', 'PATCH'], ['/books', '/books/*'], member)`), which are
 * no endpoints. Paths outside the document (/metrics, /docs, the codec sign-in
 * page) are read from the router's own table, middleware left out.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { errorResponse } from './problem.ts';

export interface Route {
  method: string;
  /** Hono's form (`/books/:bookNo`) or OpenAPI's (`/books/{bookNo}`). */
  path: string;
}

interface PathMethods {
  pattern: RegExp;
  params: number;
  methods: Set<string>;
}

const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** `/books/:bookNo` -> /^\/books\/[^/]+$/ (and `:name{regex}` -> that regex). */
function patternOf(path: string): { pattern: RegExp; params: number } {
  let params = 0;
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^:\w+(?:\{(.+)\})?$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params++;
      return param[1] ? `(?:${param[1]})` : '[^/]+';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), params };
}

/**
 * Methods per path: the documented ones, then the router's for paths the
 * document does not name. Middleware entries are left out: `use()` registers
 * method ALL, and guards use wildcard paths, which no endpoint here does.
 */
export function methodTable(documented: readonly Route[], registered: readonly Route[]): PathMethods[] {
  const byPath = new Map<string, Set<string>>();
  const add = ({ method, path }: Route) => {
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method.toUpperCase());
    byPath.set(path, methods);
  };
  documented.map((route) => ({ ...route, path: honoPath(route.path) })).forEach(add);
  const documentedPaths = new Set(byPath.keys());
  for (const route of registered) {
    if (route.method === 'ALL' || route.path.includes('*') || documentedPaths.has(route.path)) continue;
    add(route);
  }
  return [...byPath].map(([path, methods]) => ({ ...patternOf(path), methods }));
}

/**
 * The methods a path takes, or undefined for an unknown path. The paths with
 * the fewest parameters win, as in routing: `/books/best` is not a book number.
 * HEAD goes wherever GET does (the app answers HEAD with GET's handler).
 */
export function allowedMethods(table: readonly PathMethods[], path: string): Set<string> | undefined {
  const matches = table.filter((entry) => entry.pattern.test(path));
  if (matches.length === 0) return undefined;
  const fewest = Math.min(...matches.map((entry) => entry.params));
  const allowed = new Set(matches.filter((entry) => entry.params === fewest).flatMap((entry) => [...entry.methods]));
  if (allowed.has('GET')) allowed.add('HEAD');
  return allowed;
}

const allowHeader = (allowed: Set<string>) => [...allowed, 'OPTIONS'].join(', ');

/** The middleware; the routes are read at the first request, when every router is mounted. */
export function methodNotAllowed(routes: () => { documented: readonly Route[]; registered: readonly Route[] }): MiddlewareHandler {
  let table: PathMethods[] | undefined;
  return async (c: Context, next) => {
    if (!table) {
      const { documented, registered } = routes();
      table = methodTable(documented, registered);
    }
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

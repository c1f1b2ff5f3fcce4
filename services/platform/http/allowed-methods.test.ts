import { createRoute, z } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { allowedMethods, methodTable } from './allowed-methods.ts';
import { createApp, createRouter } from './app.ts';

const ok = { 200: { description: 'ok' } };
const shelves = createRouter();
// A guard as the services write them: for some methods, on a wildcard path.
shelves.on(['PATCH'], ['/shelves/*'], async () => {
  throw new AppError('UNAUTHORIZED', 'a bearer token is required');
});
shelves.use('/shelves/mine', async () => {
  throw new AppError('UNAUTHORIZED', 'a bearer token is required');
});
shelves
  .openapi(createRoute({ method: 'get', path: '/shelves/{shelfNo}', request: { params: z.object({ shelfNo: z.string() }) }, responses: ok }), (c) => c.json({}, 200))
  .openapi(createRoute({ method: 'patch', path: '/shelves/{shelfNo}', request: { params: z.object({ shelfNo: z.string() }) }, responses: ok }), (c) => c.json({}, 200))
  .openapi(createRoute({ method: 'get', path: '/shelves/mine', responses: ok }), (c) => c.json({}, 200))
  .openapi(createRoute({ method: 'delete', path: '/shelves/mine', responses: ok }), (c) => c.json({}, 200));
const preflighted = createRouter();
preflighted.use('/codec/*', cors({ origin: 'http://ui.example', allowMethods: ['POST'] }));
preflighted.post('/codec/decode', (c) => c.json({}, 200));

const app = createApp({ logger: createLogger({ name: 'test', level: 'silent' }), routers: [shelves, preflighted] });

describe('405 for a method a known path does not take', () => {
  it('answers 405 with Allow and the uniform error body, before any guard', async () => {
    const response = await app.request('/shelves/7', { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, PATCH, HEAD, OPTIONS');
    const body = (await response.json()) as { error: { code: string; details: unknown[] } };
    expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(body.error.details).toEqual([]);
    // /shelves/mine has a guard for every method, and its own methods besides the pattern's.
    const mine = await app.request('/shelves/mine', { method: 'POST' });
    expect(mine.status).toBe(405);
    expect(mine.headers.get('allow')).toBe('GET, PATCH, DELETE, HEAD, OPTIONS');
  });

  it('leaves allowed methods, unknown paths and HEAD to the routes', async () => {
    expect((await app.request('/shelves/7')).status).toBe(200);
    expect((await app.request('/shelves/7', { method: 'HEAD' })).status).toBe(200);
    expect((await app.request('/shelves/mine')).status).toBe(401);
    expect((await app.request('/nowhere', { method: 'PUT' })).status).toBe(404);
    expect((await app.request('/shelves/7/extra', { method: 'PUT' })).status).toBe(404);
    expect((await app.request('/shelves/', { method: 'PUT' })).status).toBe(404);
  });

  it('answers OPTIONS with Allow, and leaves CORS preflights to the routes that have a policy', async () => {
    const options = await app.request('/shelves/7', { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, PATCH, HEAD, OPTIONS');
    const preflight = await app.request('/codec/decode', {
      method: 'OPTIONS',
      headers: { origin: 'http://ui.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://ui.example');
    expect((await app.request('/codec/decode', { method: 'GET' })).status).toBe(405);
  });

  it('covers the app-level routes too (the document, /metrics)', async () => {
    const response = await app.request('/openapi.json', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('the method table', () => {
  it('reads path parameters, custom parameter patterns, and skips middleware entries', () => {
    const table = methodTable([
      { method: 'ALL', path: '/books/*' },
      { method: 'POST', path: '/books/*' },
      { method: 'GET', path: '/books/:bookNo{[0-9]+}' },
      { method: 'GET', path: '/books/best' },
      { method: 'POST', path: '/books' },
    ]);
    expect([...(allowedMethods(table, '/books/12') ?? [])]).toEqual(['GET', 'HEAD']);
    expect([...(allowedMethods(table, '/books') ?? [])]).toEqual(['POST']);
    expect(allowedMethods(table, '/books/abc')).toBeUndefined();
    expect(allowedMethods(table, '/books/1/x')).toBeUndefined();
  });
});

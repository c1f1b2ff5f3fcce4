import { createRoute, z } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { allowedMethods, methodTable } from './allowed-methods.ts';
import { createApp, createRouter } from './app.ts';

const ok = { 200: { description: 'ok' } };
const shelves = createRouter();
// Guards as the services write them: for some methods, on a wildcard path and on an exact one.
shelves.on(['PATCH', 'POST'], ['/shelves/*', '/shelves/mine'], async () => {
  throw new AppError('UNAUTHORIZED', 'a bearer token is required');
});
shelves.use('/shelves/mine', async () => {
  throw new AppError('UNAUTHORIZED', 'a bearer token is required');
});
shelves
  .openapi(
    createRoute({ method: 'get', path: '/shelves/{shelfNo}', request: { params: z.object({ shelfNo: z.string() }) }, responses: ok }),
    (c) => c.json({}, 200),
  )
  .openapi(
    createRoute({ method: 'patch', path: '/shelves/{shelfNo}', request: { params: z.object({ shelfNo: z.string() }) }, responses: ok }),
    (c) => c.json({}, 200),
  )
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
    // /shelves/mine has guards for POST and PATCH, and is no shelf number: its own methods only.
    for (const method of ['POST', 'PATCH']) {
      const mine = await app.request('/shelves/mine', { method });
      expect(mine.status, method).toBe(405);
      expect(mine.headers.get('allow')).toBe('GET, DELETE, HEAD, OPTIONS');
    }
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
  it('takes documented paths from the document, others from the router, middleware left out', () => {
    const table = methodTable(
      [
        { method: 'post', path: '/books' },
        { method: 'get', path: '/books/{bookNo}' },
        { method: 'get', path: '/books/best' },
      ],
      [
        { method: 'ALL', path: '/books/*' },
        { method: 'POST', path: '/books/*' },
        { method: 'PATCH', path: '/books' }, // a guard on a documented path
        { method: 'GET', path: '/metrics' },
        { method: 'GET', path: '/pages/:pageNo{[0-9]+}' },
      ],
    );
    expect([...(allowedMethods(table, '/books/12') ?? [])]).toEqual(['GET', 'HEAD']);
    expect([...(allowedMethods(table, '/books') ?? [])]).toEqual(['POST']);
    expect([...(allowedMethods(table, '/books/best') ?? [])]).toEqual(['GET', 'HEAD']);
    expect([...(allowedMethods(table, '/metrics') ?? [])]).toEqual(['GET', 'HEAD']);
    expect([...(allowedMethods(table, '/pages/3') ?? [])]).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(table, '/pages/x')).toBeUndefined();
    expect(allowedMethods(table, '/books/1/x')).toBeUndefined();
  });
});

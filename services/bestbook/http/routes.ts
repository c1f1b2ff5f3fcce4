import { createRoute, z } from '@hono/zod-openapi';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { integerParam } from '../../platform/http/fields.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { findBestBooks } from '../rent-counts.ts';

const ZBestBooksQuery = z.strictObject({
  limit: integerParam({ min: 1, max: 100 }).default(10).openapi({ example: 10 }),
});

const ZBestBook = z.object({ bookNo: z.number().int(), title: z.string(), rentCount: z.number().int() }).openapi('BestBook');

// The catalog router has GET /books/{bookNo}; the API mounts this router first so "best" is not read as a book number.
const bestBooksRoute = createRoute({
  method: 'get',
  path: '/books/best',
  summary: 'The most rented books (read model built from events)',
  request: { query: ZBestBooksQuery },
  responses: {
    200: { description: 'most rents first, ties by book number', content: { 'application/json': { schema: z.array(ZBestBook) } } },
    ...errorResponses(400),
  },
});

export function bestBookRoutes(deps: { db: Db }) {
  return createRouter().openapi(bestBooksRoute, async (c) => {
    const { limit } = c.req.valid('query');
    return c.json(await findBestBooks(deps.db, limit), 200);
  });
}

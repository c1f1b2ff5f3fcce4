import { createRoute, z } from '@hono/zod-openapi';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { createRouter } from '../../platform/http/app.ts';
import { ZCursor, encodeCursor } from '../../platform/http/cursor.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { ZBookNo, text } from '../../platform/http/fields.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import type { Authenticator } from '../../platform/http/authenticator.ts';
import { addBook, editBook, findBook, listBooks, withdrawBook } from '../catalog.ts';
import type { Book } from '../db/books.ts';

const ZBookStatus = z.enum(['AVAILABLE', 'RENTED', 'WITHDRAWN']);
const ZBook = z.object({ bookNo: z.number().int(), title: z.string(), author: z.string(), status: ZBookStatus }).openapi('Book');
const ZBookNoParam = z.object({ bookNo: ZBookNo });
const ZNewBook = z.strictObject({ title: text({ max: 200 }), author: text({ max: 200 }) }).openapi('NewBook');
const ZBookChanges = ZNewBook.partial()
  .refine((changes) => Object.keys(changes).length > 0, 'send title, author or both')
  .openapi('BookChanges', { minProperties: 1 });
const ZBookListQuery = z.object({
  q: text({ max: 200 }).optional().openapi({ description: 'part of the title or the author, any case' }),
  status: ZBookStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ type: 'integer', minimum: 1, maximum: 100, default: 20 }),
  cursor: ZCursor(z.object({ after: z.number().int().nonnegative() })).optional(),
});
const ZBookPage = z.object({ items: z.array(ZBook), nextCursor: z.string().nullable() }).openapi('BookPage');

const view = (book: Book) => ({ bookNo: book.bookNo, title: book.title, author: book.author, status: book.status });
const bookResponse = (description: string) => ({ description, content: { 'application/json': { schema: ZBook } } });

const createBookRoute = createRoute({
  method: 'post',
  path: '/books',
  summary: 'Add a book to the catalog (admin)',
  security: bearerSecurity,
  request: { body: { content: { 'application/json': { schema: ZNewBook } }, required: true } },
  responses: { 201: bookResponse('the new book'), ...errorResponses(400, 401, 403) },
});

const editBookRoute = createRoute({
  method: 'patch',
  path: '/books/{bookNo}',
  summary: 'Edit a book (admin); emits book.book-changed.v2 (and .v1)',
  security: bearerSecurity,
  request: { params: ZBookNoParam, body: { content: { 'application/json': { schema: ZBookChanges } }, required: true } },
  responses: { 200: bookResponse('the edited book'), ...errorResponses(400, 401, 403, 404, 409) },
});

const withdrawBookRoute = createRoute({
  method: 'delete',
  path: '/books/{bookNo}',
  summary: 'Withdraw a book from the catalog for good (admin); 409 BOOK_RENTED while it is out, BOOK_WITHDRAWN the second time',
  security: bearerSecurity,
  request: { params: ZBookNoParam },
  responses: { 200: bookResponse('the withdrawn book'), ...errorResponses(400, 401, 403, 404, 409) },
});

const listBooksRoute = createRoute({
  method: 'get',
  path: '/books',
  summary: 'The catalog, a page at a time; search by title or author',
  request: { query: ZBookListQuery },
  responses: {
    200: { description: 'a page of books; nextCursor is null on the last page', content: { 'application/json': { schema: ZBookPage } } },
    ...errorResponses(400, 404),
  },
});

const getBookRoute = createRoute({
  method: 'get',
  path: '/books/{bookNo}',
  summary: 'One book',
  request: { params: ZBookNoParam },
  responses: { 200: bookResponse('the book'), ...errorResponses(400, 404) },
});

function requireAdmin(c: Parameters<typeof principalOf>[0]) {
  if (principalOf(c).role !== 'ADMIN') throw new AppError('FORBIDDEN', 'only an admin may change the catalog');
}

export function bookRoutes(deps: { db: Db; auth: Authenticator }) {
  const router = createRouter();
  const member = requireMember(deps.auth);
  router.on(['POST', 'PATCH', 'DELETE'], ['/books', '/books/*'], member);
  return router
    .openapi(createBookRoute, async (c) => {
      requireAdmin(c);
      return c.json(view(await addBook(deps.db, c.req.valid('json'))), 201);
    })
    .openapi(editBookRoute, async (c) => {
      requireAdmin(c);
      return c.json(view(await editBook(deps.db, c.req.valid('param').bookNo, c.req.valid('json'))), 200);
    })
    .openapi(withdrawBookRoute, async (c) => {
      requireAdmin(c);
      return c.json(view(await withdrawBook(deps.db, c.req.valid('param').bookNo)), 200);
    })
    .openapi(listBooksRoute, async (c) => {
      const { q, status, limit, cursor } = c.req.valid('query');
      const page = await listBooks(deps.db, {
        limit,
        ...(q ? { q } : {}),
        ...(status ? { status } : {}),
        ...(cursor ? { after: cursor.after } : {}),
      });
      return c.json(
        { items: page.items.map(view), nextCursor: page.lastBookNo === null ? null : encodeCursor({ after: page.lastBookNo }) },
        200,
      );
    })
    .openapi(getBookRoute, async (c) => c.json(view(await findBook(deps.db, c.req.valid('param').bookNo)), 200));
}

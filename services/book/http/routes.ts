import { createRoute, z } from '@hono/zod-openapi';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { ZBookNo, text } from '../../platform/http/fields.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import type { TokenOptions } from '../../auth/login.ts';
import { addBook, editBook, findBook, listBooks } from '../catalog.ts';
import type { Book } from '../db/books.ts';

const ZBookStatus = z.enum(['AVAILABLE', 'RENTED', 'UNAVAILABLE']);
const ZBook = z.object({ bookNo: z.number().int(), title: z.string(), author: z.string(), status: ZBookStatus }).openapi('Book');
const ZBookNoParam = z.object({ bookNo: ZBookNo });
const ZNewBook = z.strictObject({ title: text({ max: 200 }), author: text({ max: 200 }) }).openapi('NewBook');
const ZBookChanges = ZNewBook.partial()
  .refine((changes) => Object.keys(changes).length > 0, 'send title, author or both')
  .openapi('BookChanges', { minProperties: 1 });

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
  summary: 'Edit a book (admin); emits book.book-changed.v1',
  security: bearerSecurity,
  request: { params: ZBookNoParam, body: { content: { 'application/json': { schema: ZBookChanges } }, required: true } },
  responses: { 200: bookResponse('the edited book'), ...errorResponses(400, 401, 403, 404) },
});

const listBooksRoute = createRoute({
  method: 'get',
  path: '/books',
  summary: 'The catalog',
  request: { query: z.object({ status: ZBookStatus.optional() }) },
  responses: { 200: { description: 'books', content: { 'application/json': { schema: z.array(ZBook) } } }, ...errorResponses(400) },
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

export function bookRoutes(deps: { db: Db; tokens: TokenOptions }) {
  const router = createRouter();
  const member = requireMember(deps.tokens);
  router.on(['POST', 'PATCH'], ['/books', '/books/*'], member);
  return router
    .openapi(createBookRoute, async (c) => {
      requireAdmin(c);
      return c.json(view(await addBook(deps.db, c.req.valid('json'))), 201);
    })
    .openapi(editBookRoute, async (c) => {
      requireAdmin(c);
      return c.json(view(await editBook(deps.db, c.req.valid('param').bookNo, c.req.valid('json'))), 200);
    })
    .openapi(listBooksRoute, async (c) => c.json((await listBooks(deps.db, c.req.valid('query').status)).map(view), 200))
    .openapi(getBookRoute, async (c) => c.json(view(await findBook(deps.db, c.req.valid('param').bookNo)), 200));
}

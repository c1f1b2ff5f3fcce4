import { createRoute, z } from '@hono/zod-openapi';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import type { Authenticator } from '../../platform/http/authenticator.ts';
import { noticesOf } from '../notices.ts';

const ZNotice = z
  .object({
    kind: z.enum(['WELCOME', 'RENTED', 'DUE_SOON', 'OVERDUE', 'RETURNED', 'OVERDUE_CLEARED']),
    createdAt: z.iso.datetime(),
    delivery: z
      .enum(['PENDING', 'SENT', 'NO_ADDRESS'])
      .openapi({ description: 'PENDING: being sent; SENT: the mail server took it; NO_ADDRESS: nobody to write to' }),
    sentAt: z.iso.datetime().optional(),
    bookNo: z.number().int().optional(),
    dueAt: z.iso.datetime().optional(),
    lateFee: z.number().int().optional(),
    amount: z.number().int().optional(),
  })
  .openapi('Notice');

const noticesRoute = createRoute({
  method: 'get',
  path: '/members/me/notices',
  summary: 'What the signed-in member was told by mail, newest first (at most 100; no address)',
  security: bearerSecurity,
  responses: {
    200: {
      description: 'the notices',
      content: { 'application/json': { schema: z.object({ items: z.array(ZNotice) }).openapi('Notices') } },
    },
    ...errorResponses(401),
  },
});

export function notificationRoutes(deps: { db: Db; auth: Authenticator }) {
  const router = createRouter();
  router.use(noticesRoute.path, requireMember(deps.auth));
  return router.openapi(noticesRoute, async (c) => {
    const { memberId } = principalOf(c);
    const notices = await noticesOf(deps.db, memberId);
    return c.json(
      {
        items: notices.map((notice) => ({
          kind: notice.kind,
          createdAt: notice.createdAt.toISOString(),
          delivery: notice.delivery,
          ...(notice.sentAt ? { sentAt: notice.sentAt.toISOString() } : {}),
          ...(notice.bookNo !== null ? { bookNo: notice.bookNo } : {}),
          ...(notice.dueAt ? { dueAt: notice.dueAt.toISOString() } : {}),
          ...(notice.lateFee !== null ? { lateFee: notice.lateFee } : {}),
          ...(notice.amount !== null ? { amount: notice.amount } : {}),
        })),
      },
      200,
    );
  });
}

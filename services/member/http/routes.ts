import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import type { Authenticator } from '../../platform/http/authenticator.ts';
import { findActiveProfile } from '../profiles.ts';

const ZMe = z
  .object({
    memberId: z.uuid(),
    email: z.email(),
    nickname: z.string(),
    role: z.enum(['USER', 'PARTNER', 'ADMIN']),
    points: z.number().int(),
    favoriteStyles: z.array(z.string()),
  })
  .openapi('Me');

const meRoute = createRoute({
  method: 'get',
  path: '/members/me',
  summary: 'The signed-in member',
  security: bearerSecurity,
  responses: { 200: { description: 'the member', content: { 'application/json': { schema: ZMe } } }, ...errorResponses(401, 404) },
});

/** The account's side of a member (auth's credentials), looked up by the API process that composes both answers. */
export type AccountLookup = (memberId: string) => Promise<{ email: string } | null>;

export function memberRoutes(deps: { db: Db; auth: Authenticator; findAccount: AccountLookup }) {
  const router = createRouter();
  router.use('/members/*', requireMember(deps.auth));
  return router.openapi(meRoute, async (c) => {
    const { memberId } = principalOf(c);
    // The API composes two services' answers; neither reads the other's tables.
    const [account, profile] = await Promise.all([deps.findAccount(memberId), findActiveProfile(deps.db, memberId)]);
    if (!account || !profile) throw new AppError('NOT_FOUND', 'no active member for this token');
    return c.json(
      {
        memberId,
        email: account.email,
        nickname: profile.nickname,
        role: profile.role as 'USER' | 'PARTNER',
        points: profile.points,
        favoriteStyles: profile.favoriteStyles,
      },
      200,
    );
  });
}

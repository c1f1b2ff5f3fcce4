/** @jsxImportSource hono/jsx */
/**
 * The operations console at /ops (HTML, not part of the JSON API): admins
 * only, by the console's sign-in (a cookie) or an admin bearer token; members
 * get 403. Every page carries a strict Content-Security-Policy (no script at
 * all); actions are same-origin form posts.
 */
import { readFileSync } from 'node:fs';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { resolveCompensationUpdate } from '../contracts/temporal.ts';
import { ALL_TOPICS, type Topic } from '../contracts/events.ts';
import { AppError, RetryLaterError } from '../platform/errors.ts';
import type { PasswordSignIn } from '../platform/http/authenticator.ts';
import { describeTopics, readLastEvents } from '../platform/kafka-inspect.ts';
import { clientAddress } from '../platform/http/client-address.ts';
import { letterStatuses, readOverview, readTopic, temporalUiLink, type OpsDeps } from './ops-data.ts';
import { OPS_SESSION_SECONDS, opsCaller, startOpsSession, type OpsKeys } from './ops-session.ts';
import { MessagePage, OverviewPage, SignInPage, TopicPage, TopicsPage } from './pages.tsx';

export const OPS_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const CSS = readFileSync(new URL('./ops.css', import.meta.url));

export interface OpsRoutesDeps extends OpsDeps, OpsKeys {
  signIn: PasswordSignIn;
  trustedProxyHops: number;
  /** Re-drives a topic's dead letters (scripts/dead-letters.ts); answers how many. */
  redrive: (topic: Topic) => Promise<{ sent: number; duplicates: number }>;
  /** Settles unhandled dead letters without re-driving them, the reason kept beside them (scripts/dead-letters.ts): one letter (`partition:offset`) or 'all'; answers how many. */
  discard: (topic: Topic, which: string, reason: string) => Promise<number>;
}

function html(c: Context, status: 200 | 400 | 401 | 403 | 404 | 429, body: Parameters<Context['html']>[0]) {
  c.header('Content-Security-Policy', OPS_CSP);
  c.header('Cache-Control', 'no-store');
  c.header('X-Frame-Options', 'DENY');
  // Not the API's no-referrer: under it a browser sends `Origin: null` with the console's own form posts,
  // which the same-origin check on actions must refuse. same-origin still sends nothing to other sites.
  c.header('Referrer-Policy', 'same-origin');
  return c.html(body, status);
}

export function opsRoutes(deps: OpsRoutesDeps) {
  const router = new Hono();
  router.get('/ops/assets/ops.css', (c) =>
    c.body(new Uint8Array(CSS), 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
  router.get('/ops/login', (c) => html(c, 200, <SignInPage />));
  router.post('/ops/login', async (c) => {
    const body = await c.req.parseBody();
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!email || !password || email.length > 254 || password.length > 200)
      return html(c, 400, <SignInPage message="Enter an email and a password." />);
    let grant: Awaited<ReturnType<PasswordSignIn['signIn']>>;
    try {
      grant = await deps.signIn.signIn(
        { email, password, address: clientAddress(c, deps.trustedProxyHops) },
        { lifetimeSeconds: OPS_SESSION_SECONDS },
      );
    } catch (error) {
      if (error instanceof RetryLaterError && error.code === 'RATE_LIMITED') {
        c.header('Retry-After', String(error.retryAfterSeconds));
        return html(c, 429, <SignInPage message={`Too many failed sign-ins; try again in ${error.retryAfterSeconds} seconds.`} />);
      }
      if (error instanceof AppError && error.code === 'INVALID_CREDENTIALS')
        return html(c, 401, <SignInPage message="The email or the password is wrong." />);
      throw error;
    }
    const { principal, sessionId } = grant;
    if (principal.role !== 'ADMIN') return html(c, 403, <SignInPage message="Only an administrator may use the operations console." />);
    await startOpsSession(c, deps.secret, principal.memberId, sessionId);
    return c.redirect('/ops', 303);
  });

  // Everything else under /ops: admins only. Posts must come from this origin (the cookie is SameSite=Strict as well).
  const adminOnly = createMiddleware(async (c, next) => {
    if (c.req.path === '/ops/login' || c.req.path.startsWith('/ops/assets/')) return next();
    const caller = await opsCaller(c, deps);
    if (caller === 'nobody') return html(c, 401, <SignInPage />);
    if (caller === 'member') return html(c, 403, <MessagePage title="Forbidden" message="The operations console is for administrators." />);
    const origin = c.req.header('origin');
    if (c.req.method === 'POST' && origin && origin !== new URL(c.req.url).origin) {
      return html(c, 403, <MessagePage title="Forbidden" message="Actions must come from this console." />);
    }
    return next();
  });
  router.use('/ops', adminOnly);
  router.use('/ops/*', adminOnly);

  const link = (workflowId: string) => temporalUiLink(deps, workflowId);
  router.get('/ops', async (c) =>
    html(c, 200, <OverviewPage data={await readOverview(deps)} link={link} notice={c.req.query('notice')} />),
  );

  const decide = (action: 'retry' | 'resolve') => async (c: Context) => {
    const workflowId = c.req.param('id')!;
    const body = await c.req.parseBody();
    const note = typeof body.note === 'string' ? body.note.trim().slice(0, 500) : '';
    if (action === 'resolve' && !note) return html(c, 400, <MessagePage title="A note is needed" message="Say what was done by hand." />);
    let notice: string;
    try {
      const outcome = await deps.temporal.workflow
        .getHandle(workflowId)
        .executeUpdate(resolveCompensationUpdate, { args: [{ action, ...(note ? { note } : {}) }] });
      notice = `${workflowId}: ${action} done, the saga is now ${outcome.status}`;
    } catch (error) {
      notice = `${workflowId}: ${action} refused: ${(error as Error).message}`;
    }
    return c.redirect(`/ops?notice=${encodeURIComponent(notice)}`, 303);
  };
  router.post('/ops/sagas/:id/retry', decide('retry'));
  router.post('/ops/sagas/:id/resolve', decide('resolve'));

  router.post('/ops/dead-letters/:topic/redrive', async (c) => {
    const topic = c.req.param('topic');
    if (!ALL_TOPICS.includes(topic as Topic)) return html(c, 404, <MessagePage title="No such topic" message={topic} />);
    const { sent, duplicates } = await deps.redrive(topic as Topic);
    return c.redirect(
      `/ops?notice=${encodeURIComponent(`re-drove ${sent} message(s) to ${topic} (${duplicates} already re-driven)`)}`,
      303,
    );
  });

  router.post('/ops/dead-letters/:topic/discard', async (c) => {
    const topic = c.req.param('topic');
    if (!ALL_TOPICS.includes(topic as Topic)) return html(c, 404, <MessagePage title="No such topic" message={topic} />);
    const body = await c.req.parseBody();
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    const letter = typeof body.letter === 'string' && body.letter !== '' ? body.letter : 'all';
    if (reason.length < 3 || reason.length > 500)
      return html(
        c,
        400,
        <MessagePage
          title="A reason is needed"
          message="Say in 3 to 500 characters why these letters need no re-drive; it is kept beside them."
        />,
      );
    if (letter !== 'all' && !/^\d+:\d+$/.test(letter))
      return html(c, 400, <MessagePage title="No such letter" message="A letter is named by partition:offset." />);
    let notice: string;
    try {
      const discarded = await deps.discard(topic as Topic, letter, reason);
      notice = `discarded ${discarded} dead letter(s) of ${topic}${letter === 'all' ? '' : ` (${letter})`}: ${reason}`;
    } catch (error) {
      notice = `discard refused: ${(error as Error).message}`;
    }
    return c.redirect(`/ops?notice=${encodeURIComponent(notice)}`, 303);
  });

  router.get('/ops/topics', async (c) => {
    const admin = deps.kafka.admin();
    await admin.connect();
    try {
      return html(c, 200, <TopicsPage topics={await describeTopics(admin)} />);
    } finally {
      await admin.disconnect();
    }
  });
  router.get('/ops/topics/:topic', async (c) => {
    const topic = c.req.param('topic');
    const view = await readTopic(deps, topic);
    if (!view) return html(c, 404, <MessagePage title="No such topic" message={topic} />);
    const key = c.req.query('key')?.trim() || undefined;
    const aggregateId = c.req.query('aggregateId')?.trim() || undefined;
    const limit = Math.min(200, Math.max(1, Number(c.req.query('limit')) || 20));
    const events = await readLastEvents(deps.kafka, topic, { limit, ...(key ? { key } : {}), ...(aggregateId ? { aggregateId } : {}) });
    // A dead-letter topic: each letter's status, and a discard form on the unhandled ones.
    const letters = topic.endsWith('.dlq') ? letterStatuses(events) : undefined;
    return html(
      c,
      200,
      <TopicPage
        view={view}
        events={events}
        letters={letters}
        search={{ limit, ...(key ? { key } : {}), ...(aggregateId ? { aggregateId } : {}) }}
      />,
    );
  });
  return router;
}

/**
 * HTTP hygiene against the running API: refused bodies never leave a
 * kept-alive client with a dropped socket, a wrong media type is a 415, a bad
 * token says what is wrong with it, and every answer carries the security headers.
 */
import { sign } from 'hono/jwt';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { api, stack } from '../support/api.ts';
import { asAdmin } from '../support/library.ts';

interface Answer {
  status: number;
  connection?: string;
  reusedSocket: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads the answer's JSON as it came and asserts the shape it expects
  body: any;
}

/** One request on `agent`, reporting whether it went out on a socket an earlier request had used. */
function send(
  agent: Agent,
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string>,
  chunked = false,
): Promise<Answer> {
  const url = new URL(stack().apiUrl + path);
  return new Promise((resolve, reject) => {
    const length = body === undefined || chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method, agent, headers: { ...headers, ...length } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            connection: res.headers.connection,
            reusedSocket: req.reusedSocket,
            body: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const oversized = JSON.stringify({ title: 'x'.repeat(100 * 1024), author: 'A. Author' });

describe('HTTP hygiene', () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());

  it('one keep-alive connection goes on working after a 413, a 400 and a 415: the refused body closes its connection cleanly', async () => {
    const admin = await asAdmin();
    const auth = { ...json, authorization: `Bearer ${admin}` };
    const first = await send(agent, 'GET', '/books', undefined, {});
    expect(first.status).toBe(200);
    const answers: Answer[] = [];
    for (const round of [1, 2, 3]) {
      // By content-length, then chunked (the limit is found while reading).
      const tooLarge = await send(agent, 'POST', '/books', oversized, auth, round === 2);
      expect(tooLarge.status, `round ${round}`).toBe(413);
      expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(tooLarge.connection, 'an unread body is never followed by the next request on its connection').toBe('close');
      answers.push(tooLarge);
      const afterwards = await send(agent, 'GET', '/books', undefined, {});
      expect(afterwards.status, `the request after the 413 of round ${round}`).toBe(200);
      expect(afterwards.reusedSocket, 'a fresh connection after the close').toBe(false);
      // A malformed body was read whole: its connection stays open and is used again.
      const malformed = await send(agent, 'POST', '/books', '{"title":', auth);
      expect(malformed.status).toBe(400);
      expect(malformed.connection).toBe('keep-alive');
      const wrongType = await send(agent, 'POST', '/books', 'title=x', { ...auth, 'content-type': 'text/plain' });
      expect(wrongType.status).toBe(415);
      expect(wrongType.reusedSocket).toBe(true);
      const again = await send(agent, 'GET', '/books', undefined, {});
      expect(again.status).toBe(200);
      expect(again.reusedSocket).toBe(true);
    }
    expect(answers).toHaveLength(3);
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE to a body that is not JSON, before looking at it', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const { status, body } = await api('/auth/login', {
        method: 'POST',
        body: 'email=a@b.c&password=x',
        headers: { 'content-type': type },
      });
      expect(status, type).toBe(415);
      expect(body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: [] });
      expect(body.error.message).toContain('application/json');
    }
    const untyped = await api('/auth/login', { method: 'POST', body: '{"email":"a@b.c","password":"x"}' });
    expect(untyped.status).toBe(415);
    // JSON with parameters is JSON.
    const charset = await api('/auth/login', {
      method: 'POST',
      body: '{"email":"nobody@example.com","password":"x"}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(charset.status).toBe(401);
  });

  it('says what is wrong with a token: missing, malformed, forged, expired', async () => {
    const members = async (authorization?: string) =>
      (await api('/members/me', { headers: authorization ? { authorization } : {} })).body.error;
    const claims = { sub: randomUUID(), role: 'USER', iat: Math.floor(Date.now() / 1000) };
    const forged = await sign({ ...claims, exp: claims.iat + 600 }, 'a secret that is not the server secret, 32+ chars', 'HS256');
    const expired = await sign(
      { ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 },
      process.env.JWT_SECRET ?? 'local-development-secret-change-me-0123456789',
      'HS256',
    );
    expect(await members()).toMatchObject({ code: 'UNAUTHORIZED', message: 'a bearer token is required' });
    expect(await members('Bearer garbage')).toMatchObject({ code: 'UNAUTHORIZED', message: 'the bearer token is malformed' });
    expect(await members('Bearer a.b.c')).toMatchObject({ code: 'UNAUTHORIZED', message: 'the bearer token is malformed' });
    expect(await members('Basic dXNlcjpwdw==')).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'the Authorization header must read "Bearer <token>"',
    });
    expect(await members(`Bearer ${forged}`)).toMatchObject({ code: 'UNAUTHORIZED', message: 'the bearer token has an invalid signature' });
    expect(await members(`Bearer ${expired}`)).toMatchObject({ code: 'UNAUTHORIZED', message: 'the bearer token has expired' });
  });

  it('sets the standard security headers on every answer, with a CSP the docs and the codec sign-in page can live with', async () => {
    for (const path of ['/books', '/nowhere', '/openapi.json', '/health', '/docs', '/codec/login']) {
      const { headers } = await api(path);
      expect(headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(headers.get('x-frame-options'), path).toBe('DENY');
      expect(headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(headers.get('x-powered-by'), path).toBeNull();
    }
    expect((await api('/books')).headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    // Swagger UI, served from the API itself: same-origin scripts only, and calls to this API for /openapi.json.
    const docs = (await api('/docs')).headers.get('content-security-policy')!;
    expect(docs).toContain("script-src 'self';");
    expect(docs).not.toMatch(/https?:\/\//);
    expect(docs).toContain("connect-src 'self'");
    // The codec sign-in page keeps its own policy: inline style, a form posting to itself.
    expect((await api('/codec/login')).headers.get('content-security-policy')).toContain("form-action 'self'");
  });
});

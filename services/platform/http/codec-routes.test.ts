import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bearerAuthenticator } from '../../auth/authenticator.ts';
import { endSession, openSession, sessionCheck } from '../../auth/sessions.ts';
import { createDb } from '../db.ts';
import { createLogger } from '../logger.ts';
import { EncryptionCodec } from '../payload-codec.ts';
import { createApp } from './app.ts';
import { codecRoutes } from './codec-routes.ts';
import { CODEC_SESSION_COOKIE, issueCodecSession } from './codec-session.ts';

// Tokens and cookies name real sessions in auth's store (the test stack's database).
const db = createDb(inject('stack').databaseUrl, 2);
afterAll(() => db.$disconnect());
const tokens = {
  secret: 'codec-routes-test-secret-0123456789abcdef',
  ttlSeconds: 900,
  refreshTtlSeconds: 3600,
  sessions: sessionCheck(db),
};
const codecToken = 'a-long-random-codec-token-for-command-line-tools';
const uiUrl = 'http://127.0.0.1:8233';
const codec = new EncryptionCodec([{ id: 'k1', key: randomBytes(32) }]);
const app = createApp({
  logger: createLogger({ name: 'test', level: 'silent' }),
  routers: [codecRoutes({ codec, namespace: 'default', auth: bearerAuthenticator(tokens), secret: tokens.secret, codecToken, uiUrl })],
});

const bearer = async (role: 'USER' | 'PARTNER' | 'ADMIN') => (await openSession(db, tokens, { memberId: randomUUID(), role })).token;
/** A codec cookie's token for a new admin session; `sessionOf` tells which session it names. */
async function codecCookie(options: { ended?: boolean } = {}) {
  const memberId = randomUUID();
  const { sessionId } = await openSession(db, tokens, { memberId, role: 'ADMIN' });
  if (options.ended) await endSession(db, sessionId);
  return issueCodecSession(tokens.secret, memberId, sessionId);
}
const asJson = (payload: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});
const encrypted = async (value: unknown) => asJson((await codec.encode([defaultPayloadConverter.toPayload(value)!]))[0]!);

async function call(action: 'decode' | 'encode', payloads: unknown[], headers: Record<string, string> = {}) {
  const response = await app.request(`/codec/${action}?preserveStorageRefs=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify({ payloads }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer's JSON as it came and asserts the shape it expects
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}
const decodedValue = (json: { data: string }) => JSON.parse(Buffer.from(json.data, 'base64').toString('utf8'));

describe('codec endpoint: who may call it', () => {
  it('refuses a caller without credentials (401) and a member (403)', async () => {
    const payload = await encrypted({ nickname: 'ann' });
    expect((await call('decode', [payload])).body.error.code).toBe('UNAUTHORIZED');
    const member = await call('decode', [payload], { authorization: `Bearer ${await bearer('PARTNER')}` });
    expect(member.status).toBe(403);
    expect(member.body.error.code).toBe('FORBIDDEN');
    expect((await call('encode', [payload], { authorization: `Bearer ${await bearer('USER')}` })).status).toBe(403);
  });

  it('decodes for an admin bearer token, the codec token and a codec session cookie', async () => {
    const payload = await encrypted({ nickname: 'ann' });
    const credentials: Record<string, string>[] = [
      { authorization: `Bearer ${await bearer('ADMIN')}` },
      { authorization: `Bearer ${codecToken}` },
      { cookie: `${CODEC_SESSION_COOKIE}=${await codecCookie()}` },
    ];
    for (const headers of credentials) {
      const { status, body } = await call('decode', [payload], headers);
      expect(status, JSON.stringify(headers)).toBe(200);
      expect(decodedValue(body.payloads[0])).toEqual({ nickname: 'ann' });
      expect(Buffer.from(body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
    }
  });

  it('does not mix up the three: a wrong codec token, an API token as cookie, a session as bearer', async () => {
    const payload = await encrypted('x');
    expect((await call('decode', [payload], { authorization: `Bearer ${codecToken}x` })).status).toBe(401);
    expect((await call('decode', [payload], { cookie: `${CODEC_SESSION_COOKIE}=${await bearer('ADMIN')}` })).status).toBe(401);
    expect((await call('decode', [payload], { authorization: `Bearer ${await codecCookie()}` })).status).toBe(401);
    const memberId = randomUUID();
    const { sessionId } = await openSession(db, tokens, { memberId, role: 'ADMIN' });
    const otherSecret = await issueCodecSession(`${tokens.secret}-other`, memberId, sessionId);
    expect((await call('decode', [payload], { cookie: `${CODEC_SESSION_COOKIE}=${otherSecret}` })).status).toBe(401);
  });

  it('refuses an admin token and a codec cookie whose session has ended', async () => {
    const payload = await encrypted('x');
    const memberId = randomUUID();
    const admin = await openSession(db, tokens, { memberId, role: 'ADMIN' });
    expect((await call('decode', [payload], { authorization: `Bearer ${admin.token}` })).status).toBe(200);
    await endSession(db, admin.sessionId);
    expect((await call('decode', [payload], { authorization: `Bearer ${admin.token}` })).status).toBe(401);
    expect((await call('decode', [payload], { cookie: `${CODEC_SESSION_COOKIE}=${await codecCookie({ ended: true })}` })).status).toBe(401);
  });
});

describe('codec endpoint: the remote codec protocol', () => {
  const admin = async () => ({ authorization: `Bearer ${await bearer('ADMIN')}` });

  it('encodes what decodes again, and passes unencrypted payloads through untouched', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload({ memberId: 'm-1' })!);
    const encoded = await call('encode', [plain], await admin());
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(encoded.body.payloads[0].data, 'base64').toString('latin1')).not.toContain('m-1');
    const legacy = { ...plain, externalPayloads: [] };
    const decoded = await call('decode', [encoded.body.payloads[0], legacy], await admin());
    expect(decodedValue(decoded.body.payloads[0])).toEqual({ memberId: 'm-1' });
    expect(decoded.body.payloads[1]).toEqual(legacy);
  });

  it('answers 400 with the reason for an unknown key id, a foreign namespace or a malformed body', async () => {
    const foreign = asJson(
      (await new EncryptionCodec([{ id: 'k-old', key: randomBytes(32) }]).encode([defaultPayloadConverter.toPayload(1)!]))[0]!,
    );
    const unknownKey = await call('decode', [foreign], await admin());
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.message).toMatch(/key id "k-old"/);
    const otherNamespace = await call('decode', [], { ...(await admin()), 'x-namespace': 'payments' });
    expect(otherNamespace.status).toBe(400);
    expect(otherNamespace.body.error.details).toEqual([{ path: 'x-namespace', message: expect.stringContaining('"default"') }]);
    expect((await call('decode', [{ data: 'not base64!' }], await admin())).status).toBe(400);
  });

  it("lets browsers call it from the Temporal UI's origin only, with credentials", async () => {
    const preflight = (origin: string) =>
      app.request('/codec/decode', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const fromUi = await preflight(uiUrl);
    expect(fromUi.status).toBe(204);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiUrl);
    expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
    expect(fromUi.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    expect((await preflight('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const post = await call('decode', [], { origin: 'http://evil.example', ...(await admin()) });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });
});

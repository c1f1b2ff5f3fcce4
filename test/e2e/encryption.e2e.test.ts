/**
 * Payload encryption on the real stack: what Temporal stores (read raw, as
 * anyone with access to its database or API would) says it is encrypted; once
 * decoded through the codec (as an operator reads it), its inputs, results and
 * failure messages still carry no contact data or password; the codec endpoint
 * gives it back to an admin.
 */
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_CODEC_KEYS } from '../../services/platform/config.ts';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA_KEY, parseCodecKeys } from '../../services/platform/payload-codec.ts';
import { api, logIn, signUp, signupBody, stack, postConfirmedSignup } from '../support/api.ts';
import { asAdmin, newBook, rent } from '../support/library.ts';
import { decodeHistory, everyText } from '../support/temporal.ts';

let raw: Client; // no codec: sees exactly what the server stores

beforeAll(async () => {
  raw = new Client({ connection: await Connection.connect({ address: stack().temporalAddress }) });
});
afterAll(async () => {
  await raw.connection.close();
});

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/**
 * Every payload of a history except search attributes (indexed, hence plain; ids only), headers
 * (the SDK passes them around its codecs; they carry the trace context only) and `patched()`
 * markers (the SDK's core writes them itself, plain: the patch id). All are still searched
 * for personal data by `everyText`.
 */
function payloadsOf(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const record = value as Record<string, unknown>;
  if (record.markerName === 'core_patch') return found;
  if (record.metadata && typeof record.metadata === 'object' && 'data' in record) {
    found.push(record as Payload);
    return found;
  }
  for (const [key, child] of Object.entries(record)) if (key !== 'searchAttributes' && key !== 'header') payloadsOf(child, found);
  return found;
}

async function rawHistory(workflowId: string) {
  const history = await raw.workflow.getHandle(workflowId).fetchHistory();
  const payloads = payloadsOf(history);
  expect(payloads.length).toBeGreaterThan(0);
  for (const payload of payloads) {
    expect(text(payload.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(payload.metadata?.[KEY_ID_METADATA_KEY])).toBe('dev'); // the test stack runs with the development key
  }
  // Decoded as an operator reads it: every payload and every failure, through the codec.
  const decoded = await decodeHistory(history, codec);
  expect(decoded.payloads.length).toBeGreaterThanOrEqual(payloads.length);
  return { history, payloads, text: everyText(history), decoded };
}

const codec = new EncryptionCodec(parseCodecKeys(DEVELOPMENT_CODEC_KEYS));

/** Contact data and the password: never in a history, encrypted or decoded (the nickname is a public handle the saga needs). */
const contactData = (body: { email: string; phone: string; name: string; password: string }) => [
  body.email,
  body.phone,
  body.name,
  body.password,
];

/** The personal data found in a decoded history (an empty list is the only passing answer). */
function personalDataIn(decoded: { text: string }, values: string[]): string[] {
  const text = decoded.text.toLowerCase();
  return [
    ...values.filter((value) => text.includes(value.toLowerCase())),
    ...(/scrypt\$\d+\$/.test(decoded.text) ? ['a password hash'] : []),
  ];
}

const startedInput = (history: Awaited<ReturnType<typeof rawHistory>>['history']) =>
  history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
const toJson = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

describe('payload encryption against the real stack', () => {
  it('the personal-data search reads decoded payloads and failures: a value planted in either is found', async () => {
    const planted = `planted-${Date.now()}@example.com`;
    const [input] = await codec.encode([defaultPayloadConverter.toPayload({ note: planted })!]);
    const [failure] = await codec.encode([defaultPayloadConverter.toPayload({ message: `no account for ${planted}`, stack_trace: '' })!]);
    const inInput = { events: [{ workflowExecutionStartedEventAttributes: { input: { payloads: [input] } } }] };
    const inFailure = {
      events: [{ activityTaskFailedEventAttributes: { failure: { message: 'Encoded failure', encodedAttributes: failure } } }],
    };
    expect(everyText(inInput)).not.toContain(planted); // the ciphertext alone would hide it
    expect(personalDataIn(await decodeHistory(inInput, codec), [planted])).toEqual([planted]);
    expect(personalDataIn(await decodeHistory(inFailure, codec), [planted])).toEqual([planted]);
    expect(personalDataIn({ text: 'scrypt$32768$8$1$c2FsdA$a2V5' }, [])).toEqual(['a password hash']);
  });

  it('a signup history holds no email, phone, name or password, decoded or not; stored, it is all encrypted', async () => {
    const { body, accepted, saga } = await signUp({ role: 'PARTNER' });
    expect(saga.status).toBe('COMPLETED');
    const { history, text: stored, decoded } = await rawHistory(`signup-${accepted.body.id}`);
    for (const secret of [body.email, body.phone, body.name, body.nickname, body.password, ...body.favoriteStyles])
      expect(stored).not.toContain(secret);
    expect(personalDataIn(decoded, contactData(body))).toEqual([]);
    // The search does see the decoded inputs and results: the nickname the saga carries, and the member id it returns.
    expect(
      decoded.payloads.some(
        (payload) => payload.at.includes('workflowExecutionStartedEventAttributes') && payload.text.includes(body.nickname),
      ),
    ).toBe(true);
    expect(
      decoded.payloads.some(
        (payload) => payload.at.includes('workflowExecutionCompletedEventAttributes') && payload.text.includes(saga.memberId),
      ),
    ).toBe(true);
    // It is all there, encrypted: the development key decrypts the input.
    const [input] = await new EncryptionCodec(parseCodecKeys(DEVELOPMENT_CODEC_KEYS)).decode([startedInput(history)]);
    expect(JSON.parse(text(input!.data))).toMatchObject({ memberId: saga.memberId, nickname: body.nickname });
  });

  it('failure messages are encrypted too (a refused nickname names itself in its message)', async () => {
    const first = await signUp();
    const clash = signupBody({ nickname: first.body.nickname });
    const { accepted, saga } = await postConfirmedSignup(clash);
    expect(saga.failure).toMatchObject({ code: 'NICKNAME_TAKEN', message: `nickname ${clash.nickname} is taken` }); // decoded for the API
    const { history, text: stored, decoded } = await rawHistory(`signup-${accepted.body.id}`);
    expect(stored).not.toContain(clash.nickname);
    // Decoded, the failure messages are searched too: the refusal is there, the contact data is not.
    expect(decoded.failures.map((failure) => failure.message)).toContain(`nickname ${clash.nickname} is taken`);
    expect(personalDataIn(decoded, contactData(clash))).toEqual([]);
    const failed = history.events!.find((event) => event.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes!.failure!;
    expect(failed.message).toBe('Encoded failure');
    expect(failed.applicationFailureInfo?.type).toBe('NICKNAME_TAKEN'); // the code stays readable for operators
  });

  it('a rent and its loan hold no personal data either', async () => {
    const { body, saga: signup } = await signUp();
    const token = await logIn(body.email, body.password);
    const book = await newBook();
    const rented = await rent(token, book.bookNo);
    expect(rented.status).toBe('COMPLETED');
    for (const workflowId of [`rent-${rented.id}`, `loan-${rented.id}`]) {
      const { text: stored, decoded } = await rawHistory(workflowId);
      for (const secret of [body.email, body.phone, body.name, body.nickname, body.password, book.title])
        expect(stored, workflowId).not.toContain(secret);
      expect(personalDataIn(decoded, [...contactData(body), body.nickname]), workflowId).toEqual([]);
      expect(
        decoded.payloads.some((payload) => payload.text.includes(String(book.bookNo))),
        `${workflowId} decoded`,
      ).toBe(true);
      expect(stored).toContain(signup.memberId); // only through the MemberId search attribute
    }
  });

  it('the codec endpoint decodes for an admin, and the temporal CLI reads histories through it', async () => {
    const { body, accepted } = await signUp();
    const workflowId = `signup-${accepted.body.id}`;
    const { history } = await rawHistory(workflowId);
    const payloads = [toJson(startedInput(history))];
    const refused = await api('/codec/decode', { method: 'POST', json: { payloads } });
    expect(refused.status).toBe(401);
    const decoded = await api('/codec/decode', {
      method: 'POST',
      json: { payloads },
      token: await asAdmin(),
      headers: { 'x-namespace': 'default' },
    });
    expect(decoded.status).toBe(200);
    expect(JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString())).toMatchObject({ nickname: body.nickname });

    // The CLI reads a rent's history through the codec. (A signup's history since address
    // confirmation makes `temporal workflow show --codec-endpoint` 1.5.1 time out after 10 s,
    // while every one of its payloads decodes at once on its own: README "Known problems".)
    const token = await logIn(body.email, body.password);
    const rented = await rent(token, (await newBook()).bookNo);
    const cli = (...extra: string[]) =>
      promisify(execFile)(stack().temporalBinary, [
        'workflow',
        'show',
        '--address',
        stack().temporalAddress,
        '--workflow-id',
        `rent-${rented.id}`,
        '--output',
        'json',
        ...extra,
      ]);
    const input = async (...extra: string[]) => {
      const shown = JSON.parse((await cli(...extra)).stdout);
      return shown.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
    };
    expect(Buffer.from((await input()).metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    const viaCodec = await input('--codec-endpoint', `${stack().apiUrl}/codec`, '--codec-auth', `Bearer ${await asAdmin()}`);
    expect(JSON.parse(Buffer.from(viaCodec.data, 'base64').toString())).toMatchObject({ rentalId: rented.id });
  });

  it('the codec sign-in page gives an admin, and only an admin, an HttpOnly session cookie for /codec', async () => {
    const form = (email: string, password: string) =>
      fetch(`${stack().apiUrl}/codec/login`, { method: 'POST', body: new URLSearchParams({ email, password }), redirect: 'manual' });
    expect((await api('/codec/login')).headers.get('content-type')).toMatch(/text\/html/);
    const member = signupBody();
    await signUp(member);
    expect((await form(member.email, member.password)).status).toBe(403);
    expect((await form(`nobody-${Date.now()}@example.com`, 'not-the-password')).status).toBe(401);
    const admin = await form(process.env.ADMIN_EMAIL ?? 'admin@library.local', process.env.ADMIN_PASSWORD ?? 'admin-password');
    expect(admin.status).toBe(200);
    const cookie = admin.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^codec_session=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/codec/);
    const session = cookie.split(';')[0]!;
    expect((await api('/codec/decode', { method: 'POST', json: { payloads: [] }, headers: { cookie: session } })).status).toBe(200);
    expect((await api('/members/me', { headers: { cookie: session } })).status).toBe(401); // a codec session is no API login
  });
});

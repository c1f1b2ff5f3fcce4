/**
 * Property-based hostile input: random and malformed bodies, wrong types,
 * huge strings, unknown fields, odd paths, bad tokens and control characters,
 * against every endpoint, as nobody, with bad tokens, as a member and as an
 * admin. The API must answer with a 4xx error in the documented shape, never
 * a 5xx, and change nothing.
 */
import fc from 'fast-check';
import { sign } from 'hono/jwt';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, freshLoopbackAddress, requestFrom, stack } from '../support/api.ts';
import { asAdmin, newMember } from '../support/library.ts';
import { textInputs, type TextInput } from '../support/openapi-inputs.ts';

let db: pg.Pool;
let memberToken: string;
let adminToken: string;
let texts: TextInput[];
beforeAll(async () => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
  memberToken = (await newMember()).token;
  adminToken = await asAdmin();
  texts = textInputs((await api('/openapi.json')).body);
});
afterAll(async () => {
  await db.end();
});

/**
 * Row counts that only a successful request could change (loan timers of earlier suites change none of
 * them). Staged signup applications are left out: earlier suites' unconfirmed signups expire on their
 * own timer and take their application with them.
 */
async function state() {
  const { rows } = await db.query(`SELECT
    (SELECT count(*) FROM auth.credential)::int AS credentials,
    (SELECT count(*) FROM member.profile)::int AS profiles,
    (SELECT count(*) FROM member.point_entry)::int AS ledger,
    (SELECT count(*) FROM book.book)::int AS books,
    (SELECT count(*) FROM book.outbox)::int AS book_events,
    (SELECT count(*) FROM rental.rental_item)::int AS items,
    (SELECT count(*) FROM rental.clearance)::int AS clearances`);
  return rows[0];
}

const WRITE_ENDPOINTS = [
  'POST /signups',
  'POST /auth/login',
  'POST /books',
  'PATCH /books/1',
  'POST /rentals',
  'POST /returns',
  'POST /members/me/rental-card/clear-overdue',
];
const READ_ENDPOINTS = [
  'GET /signups/',
  'GET /rentals/',
  'GET /returns/',
  'GET /clear-overdue/',
  'GET /books/',
  'GET /books?status=',
  'GET /books/best?limit=',
  'GET /partners/',
  'GET /members/me',
  'GET /members/me/rental-card',
  'GET /members/me/history',
];

const hostileValue = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 300 }),
  fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 31), Number.MAX_SAFE_INTEGER, null, true, [], {}, '', ' ', '1990-02-30', 'a'.repeat(70_000)),
);
/** Every object carries an unknown field: the strict schemas refuse it, so no generated body is ever valid. */
const hostileObject = fc
  .dictionary(
    fc.constantFrom(
      'email',
      'password',
      'name',
      'phone',
      'birthDate',
      'gender',
      'role',
      'nickname',
      'favoriteStyles',
      'title',
      'author',
      'bookNo',
      'toString',
      '__proto__',
      'constructor',
    ),
    hostileValue,
  )
  .map((object) => ({ ...object, [`unknown_${randomUUID().slice(0, 4)}`]: 1 }));
const hostileBody = fc.oneof(
  hostileObject.map((object) => JSON.stringify(object)),
  fc
    .anything()
    .map((value) => JSON.stringify(value) ?? 'undefined')
    .filter((text) => !text.startsWith('{')),
  fc.string({ maxLength: 200 }), // mostly not JSON at all
  fc.constantFrom('', '{', '{"email":', '[]', 'null', `{"a":${'['.repeat(5000)}`, 'x'.repeat(100_000)),
);
const forgedToken = fc.constantFrom('forged', 'expired', 'garbage', 'none', 'member-with-bad-shape');

async function token(kind: string): Promise<string | undefined> {
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'forged':
      return sign({ sub: randomUUID(), role: 'ADMIN', exp: now + 600 }, 'not-the-server-secret-0123456789abcdef', 'HS256');
    case 'expired':
      return sign({ sub: randomUUID(), role: 'ADMIN', exp: now - 60 }, 'local-development-secret-change-me-0123456789', 'HS256');
    case 'garbage':
      return 'a.b.c';
    case 'member-with-bad-shape':
      return `${memberToken.slice(0, -4)}AAAA`;
    default:
      return undefined;
  }
}

// Its own client address: the wrong logins it sends would otherwise use up the login limit of 127.0.0.1,
// which the suites after it log in from (the limit is per address, 15 minutes).
const HOSTILE_ADDRESS = freshLoopbackAddress();

const call = (method: string, path: string, body: string | undefined, headers: Record<string, string>) =>
  requestFrom(HOSTILE_ADDRESS, method, path, { body, headers });

function expectClientError(result: { status: number; text: string }, what: string) {
  expect(result.status, what).toBeGreaterThanOrEqual(400);
  expect(result.status, what).toBeLessThan(500);
  const body = JSON.parse(result.text);
  expect(typeof body.error.code, what).toBe('string');
  expect(result.text, what).not.toMatch(/\n\s+at |node_modules/); // no stack traces
}

describe('hostile HTTP input', () => {
  it('never gets a 5xx or changes state from a malformed write', async () => {
    const before = await state();
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WRITE_ENDPOINTS),
        hostileBody,
        fc.constantFrom('member', 'admin', 'forged', 'expired', 'none'),
        fc.boolean(),
        async (endpoint, body, who, asJson) => {
          const [method, path] = endpoint.split(' ') as [string, string];
          const bearer = who === 'member' ? memberToken : who === 'admin' ? adminToken : await token(who);
          const headers: Record<string, string> = asJson ? { 'content-type': 'application/json' } : { 'content-type': 'text/plain' };
          if (bearer) headers.authorization = `Bearer ${bearer}`;
          requests++;
          expectClientError(await call(method, path, body, headers), `${endpoint} ${who} ${body.slice(0, 80)}`);
        },
      ),
      { numRuns: 400 },
    );
    expect(await state()).toEqual(before);
    console.log(`hostile-http: ${requests} malformed writes, no 5xx, no state change`);
  });

  it('never gets a 5xx from odd paths, queries and tokens on reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...READ_ENDPOINTS),
        fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom('0', '-1', '1e309', '%00', '..%2F..', 'a'.repeat(5000), randomUUID())),
        fc.oneof(forgedToken, fc.string({ maxLength: 40 })),
        async (endpoint, suffix, who) => {
          const [, path] = endpoint.split(' ') as [string, string];
          const bearer = ['forged', 'expired', 'garbage', 'member-with-bad-shape', 'none'].includes(who) ? await token(who) : who;
          const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
          const target = path.endsWith('/') || path.endsWith('=') ? path + encodeURIComponent(suffix) : path;
          const result = await call('GET', target, undefined, headers);
          expect(result.status, `${target}`).toBeLessThan(500);
          if (result.status >= 400) expectClientError(result, target);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a control character in any text field of any documented body or query with a 400 naming the field', async () => {
    expect(texts.length).toBeGreaterThan(10); // the walk found the text fields (signup, login, books, ...)
    const before = await state();
    const seen = new Set<string>();
    let requests = 0;
    const control = fc
      .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
      .map((code) => String.fromCharCode(code));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...texts),
        control,
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.nat(),
        async (input, character, around, at) => {
          const position = at % (around.length + 1);
          const value = around.slice(0, position) + character + around.slice(position);
          const { method, path, body } = input.request(value);
          const headers: Record<string, string> = { authorization: `Bearer ${adminToken}` };
          if (body !== undefined) headers['content-type'] = 'application/json';
          // A fresh client address each time: the signup and login limits per address must not answer first.
          const n = requests++;
          const result = await requestFrom(`127.1.${Math.floor(n / 250)}.${(n % 250) + 1}`, method, path, { body, headers });
          const what = `${input.operation} ${input.field} = ${JSON.stringify(value)}`;
          expect(result.status, `${what}: ${result.text}`).toBe(400);
          const error = JSON.parse(result.text).error;
          expect(error.code, what).toBe('VALIDATION_FAILED');
          expect(
            error.details.map((detail: { path: string }) => detail.path),
            what,
          ).toContain(input.field);
          seen.add(`${input.operation} ${input.field}`);
        },
      ),
      { numRuns: 300 },
    );
    expect(await state()).toEqual(before);
    console.log(`hostile-http: control characters in ${seen.size} of ${texts.length} text inputs, each refused with 400 naming the field`);
  });
});

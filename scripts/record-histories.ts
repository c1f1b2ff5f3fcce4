/**
 * Records fresh histories of every saga for the replay test:
 *   npm run histories:record
 * Starts the test profile's servers (TEST_PROFILE, default `test`) and its own
 * app processes (short loans, so an overdue happens in seconds), runs each saga
 * to a completed and a compensated end through the HTTP API, and writes
 * test/histories/<saga>-<end>.json with the `temporal` CLI (the JSON format the
 * Temporal UI downloads). The CLI reads them raw: payloads stay encrypted, with
 * the development key (public), so the replay test can decrypt them.
 *   npm run histories:record -- --only settle-fee
 * writes only the histories whose names start with a prefix, keeping the committed
 * others (the histories of older workflow code are what the replay test guards).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { DEVELOPMENT_CODEC_KEYS } from '../services/platform/config.ts';
import { applyMigrations } from './db/schema-engine.ts';
import { ensureServiceRoles } from './db/roles.ts';
import { TEMPORAL_BINARY, codecEndpointOf, isProfile, startInfrastructure, type Profile } from './infra/infra.ts';
import { processInstances, startProcesses, waitForHealthy } from './processes.ts';

const PROFILE: Profile = (() => {
  const profile = process.env.TEST_PROFILE ?? 'test';
  if (!isProfile(profile) || profile === 'dev') throw new Error(`TEST_PROFILE must be test or test1..test9, not ${profile}`);
  return profile;
})();
/** Beside the profile's test API port (3100 + 10*N), never on it. */
const onlyIndex = process.argv.indexOf('--only');
const ONLY = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
const PORT = 3199 + 10 * Number(/\d+$/.exec(PROFILE)?.[0] ?? 0);
const API = `http://127.0.0.1:${PORT}`;
const OUT = resolve(process.env.HISTORIES_OUT ?? resolve(import.meta.dirname, '../test/histories'));
let MAILPIT = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(path: string, init: { method?: string; token?: string; json?: unknown } = {}) {
  const response = await fetch(API + path, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const body = await response.json().catch(() => undefined);
  if (response.status >= 400) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return { body, location: response.headers.get('location') };
}

/** Follows the confirmation link mailed to `email` (read through Mailpit's API). */
async function confirm(email: string): Promise<void> {
  for (;;) {
    const search = await (await fetch(`${MAILPIT}/api/v1/search?query=${encodeURIComponent(`to:"${email}"`)}`)).json();
    const [message] = (search as { messages: { ID: string }[] }).messages;
    if (message) {
      const { Text } = (await (await fetch(`${MAILPIT}/api/v1/message/${message.ID}`)).json()) as { Text: string };
      await call(/\/signups\/[0-9a-f-]{36}\/verify\?token=[\w-]+/.exec(Text)![0]);
      return;
    }
    await sleep(100);
  }
}

/** Starts a saga, waits for its end, returns its workflow id's suffix and end status. */
async function saga(
  path: string,
  token: string | undefined,
  json: unknown,
  confirmEmail?: string,
): Promise<{ id: string; status: string; result?: unknown }> {
  const { body, location } = await call(path, { method: 'POST', token, json });
  if (confirmEmail) await confirm(confirmEmail);
  for (;;) {
    const { body: view } = await call(location!, { token });
    if (view.status !== 'RUNNING') return { ...view, id: body.id };
    await sleep(100);
  }
}

/** DELETE /members/me and wait for the erasure saga's end, read as an admin (the member's sessions end with the erasure). */
async function erase(token: string, admin: string): Promise<{ id: string; status: string }> {
  const { body, location } = await call('/members/me', { method: 'DELETE', token });
  for (;;) {
    const { body: view } = await call(location!, { token: admin });
    if (view.status !== 'RUNNING') return { ...view, id: body.id };
    await sleep(100);
  }
}

/** A signup confirmed through the mail (`confirmed: false`: left to run out). */
async function member(nickname = `rec_${randomUUID().slice(0, 8)}`, confirmed = true) {
  const password = `password-${randomUUID()}`;
  const email = `${nickname}-${randomUUID().slice(0, 4)}@example.com`;
  const signup = await saga(
    '/signups',
    undefined,
    {
      email,
      password,
      name: 'History Recorder',
      phone: '+1 555 0100',
      birthDate: '1980-01-01',
      gender: 'OTHER',
      role: 'PARTNER',
      nickname,
      favoriteStyles: ['poetry'],
    },
    confirmed ? email : undefined,
  );
  const token =
    signup.status === 'COMPLETED' ? (await call('/auth/login', { method: 'POST', json: { email, password } })).body.token : undefined;
  return { signup, token: token as string, nickname };
}

async function main() {
  const infra = await startInfrastructure({
    profile: PROFILE,
    codecEndpoint: codecEndpointOf(PORT),
    log: (line) => console.log(`[infra] ${line}`),
  });
  await applyMigrations(infra.env.DATABASE_URL);
  // Each service's role, reaching only its own schema (after the migrations: the grants cover the tables they made).
  await ensureServiceRoles(infra.env.DATABASE_URL, { ...infra.env });
  MAILPIT = infra.env.MAILPIT_URL ?? 'http://127.0.0.1:8025';
  const processes = startProcesses({
    env: {
      ...infra.env,
      PORT: String(PORT),
      NODE_ENV: 'development',
      SIGNUP_LIMIT_PER_ADDRESS: '1000000',
      LOG_LEVEL: 'warn',
      LOAN_PERIOD_SECONDS: '3',
      FEE_DAY_SECONDS: '1',
      // The due-soon reminder 1 s into a 3 s loan; an unconfirmed signup runs out after 3 s.
      REMINDER_BEFORE_DUE_SECONDS: '2',
      SIGNUP_VERIFICATION_SECONDS: '3',
      // Whatever key this shell may hold: committed histories are encrypted with the public development key.
      TEMPORAL_CODEC_KEYS: DEVELOPMENT_CODEC_KEYS,
    },
    logDir: `.data/${PROFILE}/logs/record`,
    instances: processInstances({ apiPort: PORT, doubled: false }),
  });
  const runs: Record<string, string> = {};
  try {
    await waitForHealthy(API, 120_000);
    const admin = (await call('/auth/login', { method: 'POST', json: { email: 'admin@library.local', password: 'admin-password' } })).body
      .token;
    const db = new pg.Pool({ connectionString: infra.env.DATABASE_URL, max: 1, allowExitOnIdle: true });
    db.on('error', () => {}); // an idle connection cut when the servers stop
    // A new book, once rental's copy of the catalog knows it (an unknown book is refused before any saga).
    const book = async () => {
      const bookNo = (
        await call('/books', { method: 'POST', token: admin, json: { title: `Recorded ${randomUUID().slice(0, 6)}`, author: 'R' } })
      ).body.bookNo as number;
      while (!(await db.query('SELECT 1 FROM rental.book_title WHERE book_no = $1', [bookNo])).rowCount) await sleep(100);
      return bookNo;
    };

    const ann = await member();
    runs['signup-completed'] = `signup-${ann.signup.id}`;
    runs['signup-compensated'] = `signup-${(await member(ann.nickname)).signup.id}`;
    runs['signup-expired'] = `signup-${(await member(undefined, false)).signup.id}`;

    const [first, second] = [await book(), await book()];
    const rented = await saga('/rentals', ann.token, { bookNo: first });
    runs['rent-completed'] = `rent-${rented.id}`;
    runs['rent-compensated'] = `rent-${(await saga('/rentals', (await member()).token, { bookNo: first })).id}`;
    const returned = await saga('/returns', ann.token, { bookNo: first });
    runs['return-completed'] = `return-${returned.id}`;
    runs['loan-returned'] = `loan-${rented.id}`;
    runs['return-compensated'] = `return-${(await saga('/returns', ann.token, { bookNo: first })).id}`;

    // Two overdue loans: Ann's fee (two fee days) is covered by her points, Bob's (five) is not.
    const bob = await member();
    const third = await book();
    const late = await saga('/rentals', ann.token, { bookNo: second });
    await saga('/rentals', bob.token, { bookNo: third });
    await sleep(3_000 + 2_500); // past due, plus two fee days
    await saga('/returns', ann.token, { bookNo: second });
    runs['loan-overdue'] = `loan-${late.id}`;
    runs['clear-overdue-completed'] = `clear-overdue-${(await saga('/members/me/rental-card/clear-overdue', ann.token, {})).id}`;
    await sleep(3_000);
    await saga('/returns', bob.token, { bookNo: third });
    const refused = await saga('/members/me/rental-card/clear-overdue', bob.token, {});
    if (refused.status !== 'COMPENSATED') throw new Error(`expected Bob's clearing to be refused, got ${refused.status}`);
    runs['clear-overdue-compensated'] = `clear-overdue-${refused.id}`;

    // Bob's fee (five fee days, 50) exceeds his 20 points: an admin settles it. Offering 30 of his
    // points is refused by the ledger (INSUFFICIENT_POINTS, compensated); 20 points plus the desk settles it.
    const bobId = (await call('/members/me', { token: bob.token })).body.memberId as string;
    const settle = (points: number) => saga(`/members/${bobId}/fees/settle`, admin, { reason: 'paid at the desk', points });
    const overdrawn = await settle(30);
    if (overdrawn.status !== 'COMPENSATED') throw new Error(`expected the overdrawn settlement to be refused, got ${overdrawn.status}`);
    runs['settle-fee-compensated'] = `settle-fee-${overdrawn.id}`;
    runs['settle-fee-completed'] = `settle-fee-${(await settle(20)).id}`;

    // Erasure: refused while a book is out, completed once nothing is.
    const holder = await member();
    await saga('/rentals', holder.token, { bookNo: await book() });
    runs['erasure-compensated'] = `erase-${(await erase(holder.token, admin)).id}`;
    runs['erasure-completed'] = `erase-${(await erase(ann.token, admin)).id}`;
    await db.end();

    for (const [name, workflowId] of Object.entries(runs).filter(([name]) => !ONLY || name.startsWith(ONLY))) {
      execFileSync(TEMPORAL_BINARY, ['workflow', 'result', '--address', infra.env.TEMPORAL_ADDRESS, '--workflow-id', workflowId], {
        stdio: 'ignore',
      });
      const json = execFileSync(TEMPORAL_BINARY, [
        'workflow',
        'show',
        '--address',
        infra.env.TEMPORAL_ADDRESS,
        '--workflow-id',
        workflowId,
        '--output',
        'json',
      ]);
      writeFileSync(resolve(OUT, `${name}.json`), json);
      console.log(`recorded ${name}.json (${workflowId})`);
    }
  } finally {
    await processes.stop();
    await infra.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

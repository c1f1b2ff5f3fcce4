import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { confirmationLink } from './mail.ts';

export const stack = () => inject('stack');

/**
 * Set when the importing test file is over. A failed test leaves its sibling
 * promises running (a Promise.all rejects at its first failure): their poll
 * loops stop here instead of loading the stack under the next files' tests.
 */
let fileOver = false;
afterAll(() => {
  fileOver = true;
});
function stopIfFileOver(what: string): void {
  if (fileOver) throw new Error(`${what}: its test file is over`);
}

/** A request to the test stack's API (or, with `baseUrl`, to another API process of it). */
export async function api(path: string, init: RequestInit & { token?: string; json?: unknown; baseUrl?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch((init.baseUrl ?? stack().apiUrl) + path, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: a test reads the answer's JSON as it came and asserts the shape it expects
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (response.status >= 500 && body?.error?.code === 'INTERNAL') body.logged = loggedFor(response.headers.get('x-request-id'));
  return { status: response.status, headers: response.headers, body };
}

/** A log line's message and error, without the stack. */
function summaryOf(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string } };
    return `${entry.msg}: ${entry.err?.type}: ${entry.err?.message}`;
  } catch {
    return line.slice(0, 300);
  }
}

/**
 * What the API processes logged for one request, so that a suite failing on a 500 prints its
 * cause with the answer (CI shows a failure's message, not the stack's log files).
 */
function loggedFor(requestId: string | null): string {
  if (!requestId) return 'no x-request-id';
  const logDir = `.data/${stack().profile}/logs`;
  const lines: string[] = [];
  for (const dir of [logDir, join(logDir, 'second-api')]) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => name.startsWith('api') && name.endsWith('.log'));
    } catch {
      continue;
    }
    for (const name of names)
      for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) if (line.includes(requestId)) lines.push(summaryOf(line));
  }
  return lines.join(' | ').slice(0, 2000) || `nothing logged for request ${requestId}`;
}

/**
 * A loopback address no earlier run used (127.0.0.0/8 is all loopback on Linux): the login and signup
 * counts per address are kept in the database, which outlives a run of the suite on the same profile.
 */
export function freshLoopbackAddress(): string {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return `127.${byte()}.${byte()}.${byte()}`;
}

/**
 * A request to the API from a loopback address of the caller's choosing
 * (127.0.0.0/8 is all loopback on Linux; a new connection each time). Suites
 * that fail logins on purpose speak from their own address, so the login
 * limit per client address they exhaust is not the 127.0.0.1 the others use.
 */
export function requestFrom(
  localAddress: string,
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(stack().apiUrl + path); // as fetch(apiUrl + path) would read it
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress, agent: false, headers: init.headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A valid signup body with unique email and nickname. */
export function signupBody(overrides: Record<string, unknown> = {}) {
  const tag = randomUUID().slice(0, 8);
  return {
    email: `reader-${tag}@example.com`,
    password: `pw-${tag}-long-enough`,
    name: 'Reader Test',
    phone: '+49 170 555 0101',
    birthDate: '1991-02-03',
    gender: 'OTHER',
    role: 'USER',
    nickname: `reader_${tag}`,
    favoriteStyles: ['fantasy', 'history'],
    ...overrides,
  };
}

/** Polls a saga status resource until it leaves RUNNING. */
export async function settledSaga(location: string, timeoutMs = 30_000, token?: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    stopIfFileOver(`polling ${location}`);
    const { status, body } = await api(location, token ? { token } : {});
    if (status !== 200) throw new Error(`GET ${location} answered ${status}: ${JSON.stringify(body)}`);
    if (body.status !== 'RUNNING') return body;
    if (Date.now() > deadline) throw new Error(`saga ${location} still RUNNING: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Confirms a signup's address as its member would: reads the link from the mail
 * in Mailpit and follows it (GET). Returns the link's answer.
 */
export async function confirmSignup(email: string, signupId?: string) {
  const link = await confirmationLink(email, signupId);
  const answer = await api(link.path);
  if (answer.status !== 200) throw new Error(`the confirmation link answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return { link, answer };
}

/** Starts a signup (POST /signups), confirms its address through the mail, and waits for the saga's end. */
export async function postConfirmedSignup(body: Record<string, unknown>) {
  const accepted = await api('/signups', { method: 'POST', json: body });
  if (accepted.status !== 202) throw new Error(`signup answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  await confirmSignup(String(body.email), accepted.body.id);
  // Longer than a signup used to need: the mail's round trip comes first, and suites start many at once.
  const saga = await settledSaga(accepted.headers.get('location')!, 90_000);
  return { accepted, saga };
}

/** Signs a member up through the API, confirms the address through Mailpit and waits for the saga to finish. */
export async function signUp(overrides: Record<string, unknown> = {}) {
  const body = signupBody(overrides);
  const { accepted, saga } = await postConfirmedSignup(body);
  return { body, accepted, saga };
}

/**
 * A member's login for a suite's setup. The failed-login limit counts every
 * suite's wrong passwords from this address (the hostile ones send many): a
 * 429 is waited out once, as its Retry-After says, before the answer counts.
 */
export async function logIn(email: string, password: string): Promise<string> {
  let answer = await api('/auth/login', { method: 'POST', json: { email, password } });
  if (answer.status === 429) {
    const seconds = Math.min(Number(answer.headers.get('retry-after') ?? 30) || 30, 60);
    await new Promise((resolve) => setTimeout(resolve, (seconds + 1) * 1000));
    answer = await api('/auth/login', { method: 'POST', json: { email, password } });
  }
  if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.token;
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    stopIfFileOver('a condition being waited for');
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

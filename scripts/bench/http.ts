/**
 * signup and rent-return: the real sagas through the HTTP API. The bench times
 * request -> 202 itself and waits for each saga's end with the Temporal client
 * on the workflow id the API derives (`signup-<id>`, `rent-<id>`, `return-<id>`).
 * About 5% of the work is a business refusal that compensates.
 */
import type { Client } from '@temporalio/client';
import { rentWorkflowId, returnWorkflowId, signupWorkflowId } from '../../services/contracts/temporal.ts';
import { sagaEnd, type SagaSample, type Scenario } from './load.ts';
import { now } from './stats.ts';

const REFUSAL_SHARE = 0.05;
/** A member may hold 5 books; 4 leaves room for a refused rent in flight. */
const BOOKS_PER_MEMBER = 4;
const TOKEN_MAX_AGE_MS = 10 * 60_000; // tokens live 15 minutes (JWT_TTL_SECONDS)

export class Api {
  /** mailpitUrl: Mailpit's JSON API, where the bench reads each signup's confirmation link (as its member would from the mail). */
  constructor(
    readonly baseUrl: string,
    readonly mailpitUrl = 'http://127.0.0.1:8025',
  ) {}

  /**
   * Confirms a signup's address: finds the mail to `email` in Mailpit (search by
   * recipient), reads the link's path from its text and follows it (GET).
   */
  async confirmSignup(email: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const search = await fetch(`${this.mailpitUrl}/api/v1/search?limit=5&query=${encodeURIComponent(`to:"${email}"`)}`);
      const { messages } = (await search.json()) as { messages: { ID: string }[] };
      for (const { ID } of messages) {
        const { Text } = (await (await fetch(`${this.mailpitUrl}/api/v1/message/${ID}`)).json()) as { Text: string };
        const path = /\/signups\/[0-9a-f-]{36}\/verify\?token=[\w-]+/.exec(Text)?.[0];
        if (!path) continue;
        const answer = await fetch(this.baseUrl + path);
        if (answer.status !== 200) throw new Error(`the confirmation link answered ${answer.status}: ${await answer.text()}`);
        return;
      }
      if (Date.now() > deadline)
        throw new Error(`no confirmation mail to ${email} in Mailpit (${this.mailpitUrl}) within ${timeoutMs / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** POST /signups, then the confirmation through the mail; the answer (and its time) is the POST's. */
  async signUp(body: { email: string }) {
    const accepted = await this.post('/signups', body);
    if (accepted.status === 202) await this.confirmSignup(body.email);
    return accepted;
  }

  async post(path: string, json: unknown, token?: string, extraHeaders: Record<string, string> = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...extraHeaders };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(this.baseUrl + path, { method: 'POST', headers, body: JSON.stringify(json) });
    const acceptedAt = now();
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    return { status: response.status, body, acceptedAt };
  }

  async get(path: string, token?: string) {
    const response = await fetch(this.baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  }

  async logIn(email: string, password: string): Promise<string> {
    const { status, body } = await this.post('/auth/login', { email, password });
    if (status !== 200) throw new Error(`login answered ${status}: ${JSON.stringify(body)}`);
    return body!.token as string;
  }
}

interface Member {
  email: string;
  password: string;
  nickname: string;
  memberId: string;
  token: string;
  loggedInAt: number;
}

interface Slot {
  member: Member;
  bookNo: number;
  rented: boolean;
}

export interface Library {
  slots: Slot[];
  /** Books that stay rented, for the rents that must be refused. */
  rentedBooks: number[];
  /** A nickname that exists, for the signups that must be refused. */
  takenNickname: string;
}

const runTag = Date.now().toString(36);
let serial = 0;

function signupBody(role: 'USER' | 'PARTNER', nickname?: string) {
  const tag = `${runTag}-${serial++}`;
  return {
    email: `bench-${tag}@example.com`,
    password: `bench-${tag}-password`,
    name: 'Bench Reader',
    phone: '+49 170 555 0199',
    birthDate: '1990-01-01',
    gender: 'OTHER',
    role,
    nickname: nickname ?? `bench-${tag}`,
    favoriteStyles: ['crime'],
  };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

async function settle(client: Client, workflowId: string) {
  const result = (await client.workflow.getHandle(workflowId).result()) as { status: string; result?: { memberId?: string } };
  if (result.status !== 'COMPLETED') throw new Error(`${workflowId} ended ${result.status}`);
  return result.result;
}

async function newMember(api: Api, client: Client): Promise<Member> {
  const body = signupBody('USER');
  const accepted = await api.signUp(body);
  if (accepted.status !== 202) throw new Error(`POST /signups answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  const { memberId } = (await settle(client, signupWorkflowId(accepted.body!.id as string)))!;
  return { ...body, memberId: memberId!, token: await api.logIn(body.email, body.password), loggedInAt: Date.now() };
}

/** Members with free books for every slot, and two books held by another member. `rentalKnows` waits until rental's catalog copy has the books (an unknown book is refused at once). */
export async function setUpLibrary(
  api: Api,
  client: Client,
  slotCount: number,
  rentalKnows: (bookNos: number[]) => Promise<void>,
): Promise<Library> {
  const admin = await api.logIn(process.env.ADMIN_EMAIL ?? 'admin@library.local', process.env.ADMIN_PASSWORD ?? 'admin-password');
  const members = await mapLimit(Array.from({ length: Math.ceil(slotCount / BOOKS_PER_MEMBER) + 1 }), 8, () => newMember(api, client));
  const books = await mapLimit(Array.from({ length: slotCount + 2 }), 8, async () => {
    const { status, body } = await api.post('/books', { title: `Bench ${runTag}`, author: 'B. Bench' }, admin);
    if (status !== 201) throw new Error(`POST /books answered ${status}: ${JSON.stringify(body)}`);
    return body!.bookNo as number;
  });
  await rentalKnows(books);
  const holder = members.pop()!;
  const rentedBooks = books.splice(0, 2);
  for (const bookNo of rentedBooks) {
    const { body } = await api.post('/rentals', { bookNo }, holder.token);
    await settle(client, rentWorkflowId(body!.id as string));
  }
  const slots = books.map((bookNo, i) => ({ member: members[Math.floor(i / BOOKS_PER_MEMBER)]!, bookNo, rented: false }));
  return { slots, rentedBooks, takenNickname: holder.nickname };
}

/** Logs the members in again when their tokens are about to expire (long runs). */
export async function refreshTokens(api: Api, library: Library): Promise<void> {
  const members = [...new Set(library.slots.map((slot) => slot.member))].filter((m) => Date.now() - m.loggedInAt > TOKEN_MAX_AGE_MS);
  await mapLimit(members, 4, async (member) => {
    member.token = await api.logIn(member.email, member.password);
    member.loggedInAt = Date.now();
  });
}

async function startAndAwait(
  client: Client,
  kind: string,
  startedAt: number,
  deadline: number,
  request: Promise<Awaited<ReturnType<Api['post']>>>,
  workflowId: (id: string) => string,
): Promise<SagaSample> {
  const { status, body, acceptedAt } = await request;
  if (status !== 202) return { kind, startedAt, outcome: 'REJECTED' };
  return { kind, startedAt, acceptedAt, ...(await sagaEnd(client.workflow.getHandle(workflowId(body!.id as string)), deadline)) };
}

/**
 * Signups with unique emails and nicknames; 5% reuse a taken nickname (NICKNAME_TAKEN, compensated); half are partners.
 * Each confirms its address through Mailpit right after the 202, so a signup's time includes the mail's round trip.
 */
export function signupScenario(api: Api, client: Client, library: Library): Scenario {
  return {
    name: 'signup',
    runOne(startedAt, deadline) {
      const refused = Math.random() < REFUSAL_SHARE;
      const body = signupBody(serial % 2 ? 'PARTNER' : 'USER', refused ? library.takenNickname : undefined);
      return startAndAwait(client, refused ? 'signup-refused' : 'signup', startedAt, deadline, api.signUp(body), signupWorkflowId);
    },
  };
}

/**
 * Each saga takes the slot released last (so a rent is soon followed by its
 * return): it returns the slot's book when the member holds it, and rents it
 * otherwise; 5% of rents target a book that is already rented
 * (BOOK_NOT_AVAILABLE, compensated). A rent and a return each count as one saga.
 */
export function rentReturnScenario(api: Api, client: Client, library: Library): Scenario {
  const idle = [...library.slots];
  return {
    name: 'rent-return',
    async runOne(startedAt, deadline) {
      const slot = idle.pop();
      if (!slot) return undefined;
      const { member } = slot;
      let sample: SagaSample;
      if (slot.rented) {
        sample = await startAndAwait(
          client,
          'return',
          startedAt,
          deadline,
          api.post('/returns', { bookNo: slot.bookNo }, member.token),
          returnWorkflowId,
        );
        if (sample.outcome === 'COMPLETED') slot.rented = false;
      } else if (Math.random() < REFUSAL_SHARE) {
        const bookNo = library.rentedBooks[Math.floor(Math.random() * library.rentedBooks.length)]!;
        sample = await startAndAwait(
          client,
          'rent-refused',
          startedAt,
          deadline,
          api.post('/rentals', { bookNo }, member.token),
          rentWorkflowId,
        );
      } else {
        sample = await startAndAwait(
          client,
          'rent',
          startedAt,
          deadline,
          api.post('/rentals', { bookNo: slot.bookNo }, member.token),
          rentWorkflowId,
        );
        if (sample.outcome === 'COMPLETED') slot.rented = true;
      }
      // A saga still running at the deadline leaves its slot in an unknown state: retire the slot.
      if (sample.outcome !== 'RUNNING') idle.push(slot);
      return sample;
    },
  };
}

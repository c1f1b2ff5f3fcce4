/**
 * GET /members/me/sagas (Temporal visibility) and `Prefer: wait=N` on saga POSTs.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../support/fault-interceptor.ts';
import { api, eventually } from '../support/api.ts';
import { FAULTS_FILE, setFaults } from '../support/faults.ts';
import { giveBack, newBook, newMember, rent } from '../support/library.ts';

interface Page {
  items: { id: string; type: string; status: string; startedAt: string; closedAt?: string; failure?: { step: string; code: string } }[];
  nextCursor: string | null;
}

const sagasOf = async (token: string, query = ''): Promise<{ status: number; body: Page }> => api(`/members/me/sagas${query}`, { token });

/** Adds a rule beside whatever other suites set, and takes it away again. */
function currentFaults(): FaultRule[] {
  try {
    return JSON.parse(readFileSync(FAULTS_FILE, 'utf8')) as FaultRule[];
  } catch {
    return [];
  }
}
const added: FaultRule[] = [];
afterAll(() => setFaults(currentFaults().filter((rule) => !added.some((mine) => mine.inputContains === rule.inputContains))));

describe('my sagas', () => {
  it('lists every saga of mine, refused ones with their failure, filters by type and status, and pages with a cursor', async () => {
    const member = await newMember();
    const holder = await newMember();
    const [mine, taken] = [await newBook(), await newBook()];
    expect((await rent(holder.token, taken.bookNo)).status).toBe('COMPLETED');
    const rented = await rent(member.token, mine.bookNo);
    const refused = await rent(member.token, taken.bookNo);
    expect(refused.status).toBe('COMPENSATED');
    const returned = await giveBack(member.token, mine.bookNo);

    const all = await eventually(async () => {
      const page = await sagasOf(member.token, '?limit=100');
      return page.body.items.length === 4 ? page : undefined;
    });
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items.map((item) => item.type).sort()).toEqual(['rent', 'rent', 'return', 'signup']);
    expect(all.body.items.find((item) => item.id === rented.id)).toMatchObject({
      type: 'rent',
      status: 'COMPLETED',
      startedAt: expect.any(String),
      closedAt: expect.any(String),
    });
    expect(all.body.items.find((item) => item.id === returned.id)).toMatchObject({ type: 'return', status: 'COMPLETED' });
    expect(all.body.items.find((item) => item.id === refused.id)).toMatchObject({
      type: 'rent',
      status: 'COMPENSATED',
      failure: { step: 'markBookRented', code: 'BOOK_NOT_AVAILABLE' },
    });
    // The ids open the status resources.
    expect((await api(`/rentals/${refused.id}`, { token: member.token })).body.status).toBe('COMPENSATED');

    expect((await sagasOf(member.token, '?type=rent')).body.items.map((item) => item.id).sort()).toEqual([rented.id, refused.id].sort());
    expect((await sagasOf(member.token, '?status=COMPENSATED')).body.items.map((item) => item.id)).toEqual([refused.id]);
    expect((await sagasOf(member.token, '?type=return&status=COMPLETED')).body.items.map((item) => item.id)).toEqual([returned.id]);
    expect((await sagasOf(member.token, '?type=erasure')).body.items).toEqual([]);

    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await sagasOf(member.token, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      walked.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(walked.sort()).toEqual(all.body.items.map((item) => item.id).sort());

    // A cursor is good only for the list that gave it out: under another filter (or member) it names no page (404).
    const first = await sagasOf(member.token, '?limit=1');
    expect(first.body.nextCursor).not.toBeNull();
    const elsewhere = await sagasOf(member.token, `?limit=1&type=rent&cursor=${first.body.nextCursor}`);
    expect(elsewhere.status).toBe(404);
    expect((await sagasOf(holder.token, `?limit=1&cursor=${first.body.nextCursor}`)).status).toBe(404);

    // Another member sees none of them.
    const theirs = (await sagasOf(holder.token, '?limit=100')).body.items.map((item) => item.id);
    for (const id of [rented.id, refused.id, returned.id]) expect(theirs).not.toContain(id);
  });

  it('refuses a bad type, status, limit or cursor with the failing field', async () => {
    const member = await newMember();
    for (const [query, path] of [
      ['?type=loan', 'type'],
      ['?status=DONE', 'status'],
      ['?limit=101', 'limit'],
      ['?cursor=%%%', 'cursor'],
    ]) {
      const answer = await api(`/members/me/sagas${query}`, { token: member.token });
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(
        answer.body.error.details.map((detail: { path: string }) => detail.path),
        query,
      ).toContain(path);
    }
    // base64url text that is no cursor of this list (unsigned, forged) names no page: 404.
    for (const cursor of ['{"token":"bm90IGEgdG9rZW4"}', '{"token":"bm90IGEgdG9rZW4","sig":"forged"}']) {
      const answer = await api(`/members/me/sagas?cursor=${Buffer.from(cursor).toString('base64url')}`, { token: member.token });
      expect(answer.status, cursor).toBe(404);
      expect(answer.body.error.code).toBe('NOT_FOUND');
    }
    expect((await api('/members/me/sagas')).status).toBe(401);
  });
});

describe('Prefer: wait', () => {
  it('answers 200 with the final status resource when the saga ends in time, 202 otherwise, and says what it applied', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    const rented = await api('/rentals', { method: 'POST', token: member.token, json: { bookNo }, headers: { prefer: 'wait=10' } });
    expect(rented.status).toBe(200);
    expect(rented.headers.get('preference-applied')).toBe('wait=10');
    expect(rented.headers.get('location')).toMatch(/^\/rentals\//);
    expect(rented.body).toMatchObject({ status: 'COMPLETED', loan: { bookNo, dueAt: expect.any(String) } });
    expect(rented.body.steps.every((step: { status: string }) => step.status === 'COMPLETED')).toBe(true);
    expect((await api(rented.headers.get('location')!, { token: member.token })).body).toEqual(rented.body);

    // A refused saga ends too: 200 with COMPENSATED and the failure.
    const again = await api('/rentals', {
      method: 'POST',
      token: member.token,
      json: { bookNo },
      headers: { prefer: 'respond-async, wait=60' },
    });
    expect(again.status).toBe(200);
    expect(again.headers.get('preference-applied')).toBe('wait=10'); // at most 10 s
    expect(again.body).toMatchObject({ status: 'COMPENSATED', failure: { code: 'ALREADY_HOLDING_BOOK' } });

    // No wait asked: 202 as always, nothing applied.
    const returned = await api('/returns', { method: 'POST', token: member.token, json: { bookNo }, headers: { prefer: 'respond-async' } });
    expect(returned.status).toBe(202);
    expect(returned.headers.get('preference-applied')).toBeNull();
    expect(returned.body).toEqual({ id: expect.any(String), status: 'RUNNING' });
  });

  it('answers 202 after N seconds when the saga is still running', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    const slow: FaultRule = { activity: 'addRentalItem', inputContains: member.memberId, delayMs: 4_000, fail: false };
    added.push(slow);
    setFaults([...currentFaults(), slow]);
    const started = Date.now();
    const answer = await api('/rentals', { method: 'POST', token: member.token, json: { bookNo }, headers: { prefer: 'wait=1' } });
    const took = Date.now() - started;
    expect(answer.status).toBe(202);
    expect(answer.headers.get('preference-applied')).toBe('wait=1');
    expect(took).toBeGreaterThanOrEqual(1_000);
    expect(took).toBeLessThan(4_000);
    const later = await eventually(async () => {
      const view = await api(answer.headers.get('location')!, { token: member.token });
      return view.body.status === 'RUNNING' ? undefined : view.body;
    }, 30_000);
    expect(later.status).toBe('COMPLETED');
  });
});

/**
 * What the fuzzer needs to reach past 404s: a member with a signup, a rent, a
 * return, a refused clearance and a refused erasure of their own, books, and
 * a second member whose token the destructive operations of the member run
 * use (erasing or logging out the member under test would turn the rest of
 * its run into 401s).
 */
import { api, logIn, settledSaga, signUp } from '../support/api.ts';
import { asAdmin, giveBack, newBook, rent, runSaga } from '../support/library.ts';

export interface FuzzSeeds {
  member: { memberId: string; token: string; spareToken: string; signupId: string };
  bystander: { memberId: string; token: string };
  admin: { token: string; spareToken: string };
  /** Held by the member: not returnable by others, not withdrawable, and it keeps the member from being erased. */
  heldBookNo: number;
  availableBookNo: number;
  rentalId: string;
  returnId: string;
  clearanceId: string;
  /** The member's own (refused) erasure saga: GET /erasures/{memberId}. */
  erasureId: string;
}

async function signedUpMember(role: 'USER' | 'PARTNER') {
  const { body, accepted, saga } = await signUp({ role });
  if (saga.status !== 'COMPLETED') throw new Error(`seed signup ended ${saga.status}`);
  return {
    memberId: saga.memberId as string,
    signupId: accepted.body.id as string,
    email: body.email as string,
    password: body.password as string,
  };
}

export async function seedLibrary(): Promise<FuzzSeeds> {
  const [partner, bystander] = await Promise.all([signedUpMember('PARTNER'), signedUpMember('USER')]);
  // Two logins each: separate sessions, so logging one out leaves the other working.
  const [token, spareToken, bystanderToken] = await Promise.all([
    logIn(partner.email, partner.password),
    logIn(partner.email, partner.password),
    logIn(bystander.email, bystander.password),
  ]);
  const adminToken = await asAdmin();
  const adminSpare = await logIn(process.env.ADMIN_EMAIL ?? 'admin@library.local', process.env.ADMIN_PASSWORD ?? 'admin-password');

  const [held, returned, bystanderHeld, available] = await Promise.all([
    newBook('Fuzz held'),
    newBook('Fuzz returned'),
    newBook('Fuzz bystander'),
    newBook('Fuzz shelf'),
  ]);
  const rental = await rent(token, held.bookNo);
  await rent(token, returned.bookNo);
  const giveBackSaga = await giveBack(token, returned.bookNo);
  const clearance = await runSaga('/members/me/rental-card/clear-overdue', token);
  await rent(bystanderToken, bystanderHeld.bookNo);
  for (const saga of [rental, giveBackSaga]) if (saga.status !== 'COMPLETED') throw new Error(`seed saga ${saga.id} ended ${saga.status}`);

  // Refused while the book is out (MEMBER_HOLDS_BOOKS), which leaves a status resource to read.
  const erasure = await api('/members/me', { method: 'DELETE', token });
  if (erasure.status !== 202) throw new Error(`seed erasure answered ${erasure.status}: ${JSON.stringify(erasure.body)}`);
  const erased = await settledSaga(erasure.headers.get('location')!, 60_000, token);
  if (erased.status === 'COMPLETED') throw new Error('the seed member was erased');

  return {
    member: { memberId: partner.memberId, token, spareToken, signupId: partner.signupId },
    bystander: { memberId: bystander.memberId, token: bystanderToken },
    admin: { token: adminToken, spareToken: adminSpare },
    heldBookNo: held.bookNo,
    availableBookNo: available.bookNo,
    rentalId: rental.id,
    returnId: giveBackSaga.id,
    clearanceId: clearance.id,
    erasureId: partner.memberId,
  };
}

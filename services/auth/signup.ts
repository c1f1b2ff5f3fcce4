/** auth's part of the signup saga: stage, create, undo and activate credentials. */
import { appendToOutbox } from '../platform/outbox.ts';
import { AppError } from '../platform/errors.ts';
import { isUniqueViolation, type Db } from '../platform/db.ts';
import { credentialsRepo, type Credential, type NewApplication } from './db/credentials.ts';

export type SignupApplicationInput = NewApplication;

/**
 * Keeps the contact data and password hash in auth's own table before the saga
 * starts, so neither ever enters a workflow history. Staging twice (a retried
 * request with the same Idempotency-Key) is a no-op.
 */
export async function stageSignupApplication(db: Db, application: SignupApplicationInput): Promise<void> {
  if (await credentialsRepo.findBySignup(db, application.signupId)) return; // already turned into credentials
  await credentialsRepo.stageApplication(db, application);
}

/** Turns the staged application into PENDING credentials. Idempotent by signup id. */
export async function createCredentials(db: Db, input: { signupId: string; memberId: string; role: string }): Promise<void> {
  if (input.role !== 'USER' && input.role !== 'PARTNER') throw new AppError('INVALID_ROLE', `role ${input.role} cannot sign up`);
  try {
    await db.$transaction(async (tx) => {
      if (await credentialsRepo.findBySignup(tx, input.signupId)) return;
      const application = await credentialsRepo.findApplication(tx, input.signupId);
      if (!application) throw new AppError('SIGNUP_EXPIRED', 'the signup application is gone');
      if (await credentialsRepo.findByEmail(tx, application.email)) throw new AppError('EMAIL_TAKEN', 'the email is already registered');
      const { createdAt: _createdAt, ...data } = application;
      await credentialsRepo.insert(tx, { ...data, memberId: input.memberId, status: 'PENDING' });
      await credentialsRepo.deleteApplication(tx, input.signupId);
    });
  } catch (error) {
    // Two signups with one email racing past the check above: the unique index decides.
    if (isUniqueViolation(error, 'email')) throw new AppError('EMAIL_TAKEN', 'the email is already registered');
    throw error;
  }
}

/** Compensation: removes the credentials (and any staged application) of this signup. Idempotent. */
export async function deleteCredentials(db: Db, input: { signupId: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    await credentialsRepo.deleteBySignup(tx, input.signupId);
    await credentialsRepo.deleteApplication(tx, input.signupId);
  });
}

/** Lets the member log in and announces the signup; the event is written once, with the change. */
export async function activateCredentials(db: Db, input: { signupId: string }, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    const { count } = await credentialsRepo.activate(tx, input.signupId);
    if (count === 0) return;
    const credential = (await credentialsRepo.findBySignup(tx, input.signupId)) as Credential;
    await appendToOutbox(
      tx,
      'auth',
      [
        {
          topic: 'auth.member-signed-up.v1',
          aggregateId: credential.memberId,
          payload: { memberId: credential.memberId, role: credential.role as 'USER' | 'PARTNER', signedUpAt: now.toISOString() },
        },
      ],
      now,
    );
  });
}

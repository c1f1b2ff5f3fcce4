import type { Db } from '../services/platform/db.ts';
import type { Mailer } from '../services/platform/mailer.ts';
import { eraseCredentials } from '../services/auth/erasure.ts';
import { activateCredentials, createCredentials, deleteCredentials } from '../services/auth/signup.ts';
import { requestConfirmation } from '../services/auth/verification.ts';

/** auth's activities, on the `auth` task queue. */
export function createAuthActivities({ db, mailer, publicBaseUrl }: { db: Db; mailer: Mailer; publicBaseUrl: string }) {
  return {
    /** Mails the confirmation link (or an "already registered" mail); input and result carry no token and no address. */
    requestConfirmation: (input: { signupId: string; expiresInSeconds: number }) =>
      requestConfirmation({ db, mailer, baseUrl: publicBaseUrl }, input),
    createCredentials: (input: { signupId: string; memberId: string; role: string }) => createCredentials(db, input),
    deleteCredentials: (input: { signupId: string }) => deleteCredentials(db, input),
    activateCredentials: (input: { signupId: string }) => activateCredentials(db, input),
    eraseCredentials: (input: { memberId: string }) => eraseCredentials(db, input),
  };
}
export type AuthActivities = ReturnType<typeof createAuthActivities>;

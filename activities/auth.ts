import type { Db } from '../services/platform/db.ts';
import { eraseCredentials } from '../services/auth/erasure.ts';
import { activateCredentials, createCredentials, deleteCredentials } from '../services/auth/signup.ts';

/** auth's activities, on the `auth` task queue. */
export function createAuthActivities({ db }: { db: Db }) {
  return {
    createCredentials: (input: { signupId: string; memberId: string; role: string }) =>
      createCredentials(db, input),
    deleteCredentials: (input: { signupId: string }) => deleteCredentials(db, input),
    activateCredentials: (input: { signupId: string }) => activateCredentials(db, input),
    eraseCredentials: (input: { memberId: string }) => eraseCredentials(db, input),
  };
}
export type AuthActivities = ReturnType<typeof createAuthActivities>;

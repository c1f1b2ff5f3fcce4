/** member's part of the signup saga and its read side. */
import { AppError } from '../platform/errors.ts';
import { isUniqueViolation, type Db } from '../platform/db.ts';
import { appendToOutbox } from '../platform/outbox.ts';
import { profilesRepo, type Profile } from './db/profiles.ts';

export interface NewProfile {
  signupId: string;
  memberId: string;
  role: 'USER' | 'PARTNER';
  nickname: string;
  favoriteStyles: string[];
}

/** Creates the (inactive) profile. Idempotent by signup id; a taken nickname is a business refusal. */
export async function createProfile(db: Db, input: NewProfile): Promise<void> {
  if (await profilesRepo.findBySignup(db, input.signupId)) return;
  try {
    await profilesRepo.insert(db, { ...input, favoriteStyles: [...new Set(input.favoriteStyles)] });
  } catch (error) {
    if (isUniqueViolation(error, 'signup_id') || isUniqueViolation(error, 'signupId')) return; // a concurrent retry won
    if (isUniqueViolation(error, 'nickname')) throw new AppError('NICKNAME_TAKEN', `nickname ${input.nickname} is taken`);
    throw error;
  }
}

/** Compensation: removes this signup's profile. Idempotent. */
export async function deleteProfile(db: Db, input: { signupId: string }): Promise<void> {
  await profilesRepo.deleteBySignup(db, input.signupId);
}

/** Makes the profile visible; a PARTNER's activation announces the partner, once. */
export async function activateProfile(db: Db, input: { signupId: string }, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    const { count } = await profilesRepo.activate(tx, input.signupId);
    if (count === 0) return;
    const profile = (await profilesRepo.findBySignup(tx, input.signupId)) as Profile;
    if (profile.role !== 'PARTNER') return;
    await appendToOutbox(
      tx,
      'member',
      [
        {
          topic: 'member.partner-registered.v1',
          aggregateId: profile.memberId,
          payload: { memberId: profile.memberId, registeredAt: now.toISOString() },
        },
      ],
      now,
    );
  });
}

/** An active member's profile (never an erased one, whose nickname is gone). */
export async function findActiveProfile(db: Db, memberId: string): Promise<(Profile & { nickname: string }) | null> {
  const profile = await profilesRepo.findByMember(db, memberId);
  if (!profile?.active || profile.erasedAt !== null || profile.nickname === null) return null;
  return { ...profile, nickname: profile.nickname };
}

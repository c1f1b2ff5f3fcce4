import type { Db } from '../services/platform/db.ts';
import { activateProfile, createProfile, deleteProfile, type NewProfile } from '../services/member/profiles.ts';
import { eraseProfile } from '../services/member/erasure.ts';
import { awardPoints, deductPoints, reversePoints, type PointsChange } from '../services/member/points.ts';
import { recordFeeSettlement, reverseFeeSettlement, type FeeSettlementEntry } from '../services/member/settlements.ts';

/** member's activities, on the `member` task queue. */
export function createMemberActivities({ db }: { db: Db }) {
  return {
    createProfile: (input: NewProfile) => createProfile(db, input),
    deleteProfile: (input: { signupId: string }) => deleteProfile(db, input),
    activateProfile: (input: { signupId: string }) => activateProfile(db, input),
    awardPoints: (input: PointsChange) => awardPoints(db, input),
    deductPoints: (input: PointsChange) => deductPoints(db, input),
    eraseProfile: (input: { memberId: string }) => eraseProfile(db, input),
    reversePoints: (input: { key: string; memberId: string }) => reversePoints(db, input),
    recordFeeSettlement: (input: FeeSettlementEntry) => recordFeeSettlement(db, input),
    reverseFeeSettlement: (input: { key: string; memberId: string }) => reverseFeeSettlement(db, input),
  };
}
export type MemberActivities = ReturnType<typeof createMemberActivities>;

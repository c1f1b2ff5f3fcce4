import { describe, expect, it } from 'vitest';
import { mySagasQuery } from './my-sagas.ts';

describe('the visibility query of my sagas', () => {
  const memberId = '3f0c2b4e-8a52-4c1e-9d7a-1b2c3d4e5f60';

  it('names the member and every saga type, never the loan timer', () => {
    expect(mySagasQuery({ memberId })).toBe(
      `MemberId = "${memberId}" AND SagaType IN ("signup", "rent", "return", "clear-overdue", "settle-fee", "erasure")`,
    );
  });

  it('narrows by type and by API status', () => {
    expect(mySagasQuery({ memberId, type: 'rent', status: 'COMPENSATED' })).toBe(
      `MemberId = "${memberId}" AND SagaType IN ("rent") AND ExecutionStatus = "Completed" AND SagaStatus = "COMPENSATED"`,
    );
    expect(mySagasQuery({ memberId, status: 'RUNNING' })).toContain('ExecutionStatus = "Running" AND SagaStatus != "COMPENSATION_FAILED"');
    expect(mySagasQuery({ memberId, status: 'FAILED' })).toContain('SagaStatus IN ("COMPENSATION_FAILED", "RESOLVED_BY_OPERATOR")');
  });
});

/** The harness around Schemathesis reads failures it must not miss, and configures only what the document has. */
import { describe, expect, it } from 'vitest';
import { operationOverrides, readJunit, schemathesisConfig } from './schemathesis.ts';
import type { FuzzSeeds } from './seeds.ts';

// The shape of Schemathesis 4's JUnit report, from a real run that found an undeclared method answered 404.
const REPORT = `<?xml version="1.0" encoding="utf-8"?>
<testsuites errors="1" failures="2" skipped="0" tests="4" time="47.48">
  <testsuite name="schemathesis" hostname="vm" errors="1" failures="2" skipped="0" tests="4" time="47.48">
    <testcase name="POST /auth/login" time="10.26" />
    <testcase name="POST /books" time="1.55">
      <failure type="failure" message="ST204">1. Test Case ID: O4awHe

- ST204 Wrong response to undeclared method

    Unsupported method PATCH returned 404, expected 405 Method Not Allowed

[404] Not Found:

    \`{&quot;error&quot;:{&quot;code&quot;:&quot;NOT_FOUND&quot;}}\`</failure>
      <failure type="failure" message="ST101">- ST101 Server error &lt;500&gt;</failure>
    </testcase>
    <testcase name="GET /books/{bookNo}" time="1.50"><error type="error" message="network">Connection refused</error></testcase>
    <testcase name="Stateful tests" time="4.34" />
  </testsuite>
</testsuites>`;

const seeds: FuzzSeeds = {
  member: { memberId: 'm-1', token: 'member-token', spareToken: 'member-spare', signupId: 's-1' },
  bystander: { memberId: 'b-1', token: 'bystander-token' },
  admin: { token: 'admin-token', spareToken: 'admin-spare' },
  heldBookNo: 7,
  availableBookNo: 8,
  rentalId: 'r-1',
  returnId: 't-1',
  clearanceId: 'c-1',
  erasureId: 'm-1',
};

describe('the Schemathesis harness', () => {
  it('reads every failure and error of the JUnit report, with its codes, per operation', () => {
    const { operations, failures, errors } = readJunit(REPORT);
    expect(operations).toBe(3); // the stateful phase is no operation
    expect(failures.map((failure) => [failure.operation, failure.codes])).toEqual([
      ['POST /books', ['ST204']],
      ['POST /books', ['ST101']],
    ]);
    expect(failures[0]!.text).toContain('{"error":{"code":"NOT_FOUND"}}');
    expect(errors).toEqual([{ operation: 'GET /books/{bookNo}', codes: [], text: 'Connection refused' }]);
  });

  it('gives seeded ids to the documented paths only, and other tokens to what would end the caller', () => {
    const documented = new Set(['/signups/{id}', '/members/me', '/auth/logout', '/rentals/{id}']);
    expect(operationOverrides('member', seeds, documented)).toEqual([
      { path: '/signups/{id}', parameters: { 'path.id': 's-1' } },
      { path: '/rentals/{id}', parameters: { 'path.id': 'r-1' } },
      { path: '/members/me', method: 'DELETE', headers: { Authorization: 'Bearer bystander-token' } },
      { path: '/auth/logout', method: 'POST', headers: { Authorization: 'Bearer member-spare' } },
    ]);
    expect(operationOverrides('nobody', seeds, new Set(['/auth/logout']))).toEqual([]);
    const config = schemathesisConfig({
      caller: 'admin',
      seeds,
      apiUrl: 'http://127.0.0.1:3130',
      documentedPaths: documented,
      maxExamples: 5,
      seed: 1,
      junitPath: '/tmp/j.xml',
    });
    expect(config).toContain('Authorization = "Bearer admin-token"');
    expect(config).toContain('"path.memberId" = "b-1"');
    expect(config).toContain('max-examples = 5');
    expect(config).toContain('headers = { "Authorization" = "Bearer admin-spare" }');
    expect(config).not.toContain('member-token');
  });
});

/**
 * The signup saga against a real Temporal dev server (started by the testing
 * package from the project's `temporal` binary) with mocked activities.
 */
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { workflowBundle } from '../processes/worker.ts';
import { workerSinks } from '../services/platform/worker-observability.ts';
import { SEARCH, TASK_QUEUES, type SignupInput } from '../services/contracts/temporal.ts';
import { addressConfirmedSignal, signupWorkflow } from './signup.workflow.ts';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: inject('stack').temporalBinary }, searchAttributes: Object.values(SEARCH) },
  });
});
afterAll(async () => {
  await env?.teardown();
});

type Calls = string[];
type Mock = (calls: Calls) => (input: unknown) => Promise<void>;
const ok: Mock = () => async () => {};
const refuse =
  (code: string): Mock =>
  () =>
  async () => {
    throw ApplicationFailure.nonRetryable(`refused: ${code}`, code);
  };
/** Fails `times` times with a retryable error, then succeeds. */
const flaky =
  (times: number): Mock =>
  () => {
    let failures = 0;
    return async () => {
      if (failures++ < times) throw new Error('database unreachable');
    };
  };

type Step =
  | 'requestConfirmation'
  | 'createCredentials'
  | 'deleteCredentials'
  | 'activateCredentials'
  | 'createProfile'
  | 'deleteProfile'
  | 'activateProfile'
  | 'openRentalCard'
  | 'closeRentalCard';

/** `confirm: false` never confirms the address: the saga's short verification time runs out. */
async function runSignup(overrides: Partial<Record<Step, Mock>> = {}, options: { confirm?: boolean; verificationSeconds?: number } = {}) {
  const calls: Calls = [];
  const activity = (name: Step) => {
    const impl = (overrides[name] ?? ok)(calls);
    return async (input: unknown) => {
      calls.push(name);
      expect(JSON.stringify(input)).not.toMatch(/password|@/);
      return impl(input);
    };
  };
  const queues = {
    [TASK_QUEUES.auth]: {
      requestConfirmation: activity('requestConfirmation'),
      createCredentials: activity('createCredentials'),
      deleteCredentials: activity('deleteCredentials'),
      activateCredentials: activity('activateCredentials'),
    },
    [TASK_QUEUES.member]: {
      createProfile: activity('createProfile'),
      deleteProfile: activity('deleteProfile'),
      activateProfile: activity('activateProfile'),
    },
    [TASK_QUEUES.rental]: { openRentalCard: activity('openRentalCard'), closeRentalCard: activity('closeRentalCard') },
  };
  const bundle = await workflowBundle();
  const workers = await Promise.all([
    Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.sagas, workflowBundle: bundle, sinks: workerSinks() }),
    ...Object.entries(queues).map(([taskQueue, activities]) => Worker.create({ connection: env.nativeConnection, taskQueue, activities })),
  ]);
  const running = workers.map((worker) => worker.run());
  const input: SignupInput = {
    signupId: randomUUID(),
    memberId: randomUUID(),
    role: 'USER',
    nickname: 'nick',
    favoriteStyles: ['crime'],
    verificationSeconds: options.verificationSeconds ?? 60,
  };
  try {
    const handle = await env.client.workflow.start(signupWorkflow, {
      workflowId: `signup-${input.signupId}`,
      taskQueue: TASK_QUEUES.sagas,
      args: [input],
      typedSearchAttributes: [{ key: SEARCH.memberId, value: input.memberId }],
    });
    // What the confirmation link's route does once the token checked out (the signal carries nothing).
    if (options.confirm !== false) await handle.signal(addressConfirmedSignal);
    const result = await handle.result();
    const sagaStatus = (await handle.describe()).typedSearchAttributes.get(SEARCH.sagaStatus);
    return { result, calls, sagaStatus, input };
  } finally {
    for (const worker of workers) worker.shutdown();
    await Promise.all(running);
  }
}

describe('signup workflow', () => {
  it('runs every step in order and completes', async () => {
    const { result, calls, sagaStatus, input } = await runSignup();
    expect(calls).toEqual([
      'requestConfirmation',
      'createCredentials',
      'createProfile',
      'openRentalCard',
      'activateProfile',
      'activateCredentials',
    ]);
    expect(result.status).toBe('COMPLETED');
    expect(result.result).toEqual({ memberId: input.memberId });
    expect(sagaStatus).toBe('COMPLETED');
  });

  it('waits for the confirmation, and is undone when its time runs out', async () => {
    const started = Date.now();
    const { result, calls, sagaStatus } = await runSignup({}, { confirm: false, verificationSeconds: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(calls).toEqual(['requestConfirmation', 'deleteCredentials']);
    expect(result.status).toBe('COMPENSATED');
    expect(result.failure).toEqual({
      step: 'confirmAddress',
      code: 'VERIFICATION_EXPIRED',
      message: 'the address was not confirmed in time',
    });
    expect(result.steps.map((step) => step.status)).toEqual(['FAILED', 'PENDING', 'PENDING', 'PENDING', 'PENDING', 'PENDING']);
    expect(sagaStatus).toBe('COMPENSATED');
  });

  it('a refused credentials step (an address taken since) undoes itself and the confirmation', async () => {
    const { result, calls, sagaStatus } = await runSignup({ createCredentials: refuse('EMAIL_TAKEN') });
    expect(calls).toEqual(['requestConfirmation', 'createCredentials', 'deleteCredentials', 'deleteCredentials']);
    expect(result.status).toBe('COMPENSATED');
    expect(result.failure).toEqual({ step: 'createCredentials', code: 'EMAIL_TAKEN', message: 'refused: EMAIL_TAKEN' });
    expect(sagaStatus).toBe('COMPENSATED');
  });

  it('a refused second step undoes both steps in reverse', async () => {
    const { result, calls } = await runSignup({ createProfile: refuse('NICKNAME_TAKEN') });
    expect(calls).toEqual([
      'requestConfirmation',
      'createCredentials',
      'createProfile',
      'deleteProfile',
      'deleteCredentials',
      'deleteCredentials',
    ]);
    expect(result.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'confirmAddress:COMPENSATED',
      'createCredentials:COMPENSATED',
      'createProfile:FAILED',
      'openRentalCard:PENDING',
      'activateProfile:PENDING',
      'activateCredentials:PENDING',
    ]);
  });

  it('a refused third step undoes all three in reverse', async () => {
    const { result, calls } = await runSignup({ openRentalCard: refuse('CARD_REFUSED') });
    expect(calls).toEqual([
      'requestConfirmation',
      'createCredentials',
      'createProfile',
      'openRentalCard',
      'closeRentalCard',
      'deleteProfile',
      'deleteCredentials',
      'deleteCredentials',
    ]);
    expect(result.failure?.code).toBe('CARD_REFUSED');
  });

  it('retries a failing compensation until it succeeds', async () => {
    const { result, calls } = await runSignup({ createProfile: refuse('NICKNAME_TAKEN'), deleteCredentials: flaky(2) });
    // Three attempts for the credentials' undo, then one for the confirmation's.
    expect(calls.filter((call) => call === 'deleteCredentials')).toHaveLength(4);
    expect(result.status).toBe('COMPENSATED');
  });

  it('retries a step after the pivot instead of compensating', async () => {
    const { result, calls } = await runSignup({ activateProfile: flaky(2) });
    expect(calls.filter((call) => call === 'activateProfile')).toHaveLength(3);
    expect(calls).not.toContain('deleteProfile');
    expect(result.status).toBe('COMPLETED');
  });

  it('retries an infrastructure failure of a step before giving up', async () => {
    const { result, calls } = await runSignup({ openRentalCard: flaky(2) });
    expect(calls.filter((call) => call === 'openRentalCard')).toHaveLength(3);
    expect(result.status).toBe('COMPLETED');
  });
});

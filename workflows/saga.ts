/**
 * The saga helper: a list of steps, each with its compensation registered
 * *before* the step runs (a step that timed out may still have taken effect),
 * unwound in reverse when a later step fails. Deterministic: imports only the
 * workflow SDK.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { SEARCH, type SagaProgress, type SagaStatus, type StepStatus } from './contracts.ts';

export const progressQuery = defineQuery<SagaProgress<object>>('progress');

interface StepState {
  name: string;
  status: StepStatus;
}

export interface StepDefinition<T> {
  /** Undo; must be idempotent: it may run after a step that never took effect. */
  compensate?: () => Promise<unknown>;
  run: () => Promise<T>;
}

export class Saga<Result extends object> {
  private readonly steps: StepState[];
  private readonly compensations: { step: StepState; undo: () => Promise<unknown> }[] = [];
  private status: SagaStatus = 'RUNNING';
  private failure: SagaProgress['failure'];
  private result: Result | undefined;

  constructor(stepNames: readonly string[]) {
    this.steps = stepNames.map((name) => ({ name, status: 'PENDING' }));
    setHandler(progressQuery, () => this.progress());
  }

  async step<T>(name: string, definition: StepDefinition<T>): Promise<T> {
    const state = this.steps.find((step) => step.name === name);
    if (!state) throw new Error(`saga step ${name} was not declared`);
    if (definition.compensate) this.compensations.push({ step: state, undo: definition.compensate });
    state.status = 'RUNNING';
    try {
      const value = await definition.run();
      state.status = 'COMPLETED';
      return value;
    } catch (error) {
      state.status = 'FAILED';
      this.failure ??= { step: name, ...describeFailure(error) };
      throw error;
    }
  }

  /**
   * Runs the saga body; on failure (or cancellation) unwinds the registered
   * compensations in reverse order and reports COMPENSATED instead of throwing.
   */
  async run(body: () => Promise<Result>): Promise<SagaProgress<Result>> {
    try {
      this.result = await body();
      this.setStatus('COMPLETED');
    } catch (error) {
      if (!this.failure) this.failure = { step: 'saga', ...describeFailure(error) };
      this.setStatus('COMPENSATING');
      // Compensations must run even when the workflow itself was cancelled.
      await CancellationScope.nonCancellable(() => this.unwind());
      this.setStatus('COMPENSATED');
    }
    return this.progress();
  }

  /** What the progress query answers and the workflow returns: the same view, live or final. */
  progress(): SagaProgress<Result> {
    return {
      status: this.status,
      steps: this.steps.map((step) => ({ ...step })),
      ...(this.failure ? { failure: this.failure } : {}),
      ...(this.result ? { result: this.result } : {}),
    };
  }

  private async unwind(): Promise<void> {
    for (const { step, undo } of [...this.compensations].reverse()) {
      // The step that failed keeps FAILED; its undo still runs in case it took effect before failing.
      const failed = step.status === 'FAILED';
      step.status = 'COMPENSATING';
      await undo();
      step.status = failed ? 'FAILED' : 'COMPENSATED';
    }
  }

  private setStatus(status: SagaStatus): void {
    this.status = status;
    upsertSearchAttributes([{ key: SEARCH.sagaStatus, value: status }]);
  }
}

function describeFailure(error: unknown): { code: string; message: string } {
  if (isCancellation(error)) return { code: 'CANCELLED', message: 'the saga was cancelled' };
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return { code: cause.type ?? 'ACTIVITY_FAILED', message: cause.message };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

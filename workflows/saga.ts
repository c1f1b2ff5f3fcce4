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
  allHandlersFinished,
  condition,
  isCancellation,
  proxySinks,
  setCurrentDetails,
  setHandler,
  workflowInfo,
  upsertSearchAttributes,
  type Sinks,
} from '@temporalio/workflow';
import {
  SEARCH,
  progressQuery,
  summaryLine,
  resolveCompensationUpdate,
  type OperatorDecision,
  type SagaProgress,
  type SagaStatus,
  type StepStatus,
} from '../services/contracts/temporal.ts';

/**
 * Saga metrics leave the sandbox through sinks (no commands, so no effect on
 * replay; not called while replaying): the worker counts them
 * (services/platform/worker-observability.ts).
 */
export interface SagaMetricsSinks extends Sinks {
  sagaMetrics: {
    started(): void;
    ended(outcome: SagaStatus): void;
    compensation(step: string, outcome: 'COMPENSATED' | 'FAILED' | 'RESOLVED_BY_OPERATOR'): void;
  };
}
const { sagaMetrics } = proxySinks<SagaMetricsSinks>();

interface StepState {
  name: string;
  status: StepStatus;
}

export interface StepDefinition<T> {
  /** Undo; must be idempotent: it may run after a step that never took effect. */
  compensate?: () => Promise<unknown>;
  run: () => Promise<T>;
}

/**
 * A saga typed by its step names: `new Saga(RENT_STEPS)` accepts
 * `saga.step('addRentalItem', ...)` and refuses, at compile time, a name
 * that is not in the list.
 */
export class Saga<Step extends string> {
  private readonly steps: StepState[];
  private readonly compensations: { step: StepState; undo: () => Promise<unknown> }[] = [];
  private status: SagaStatus = 'RUNNING';
  private failure: SagaProgress['failure'];
  private result: object | undefined;
  private decision: OperatorDecision | undefined;
  private compensationFailure: SagaProgress['compensationFailure'];

  /**
   * @param label what the saga is about, for the Temporal UI ("rent book 12"): saga type, book number, never personal data.
   */
  constructor(
    stepNames: readonly Step[],
    private readonly label: string = workflowInfo().workflowType,
  ) {
    this.steps = stepNames.map((name) => ({ name, status: 'PENDING' }));
    this.showDetails();
    setHandler(progressQuery, () => this.progress());
    setHandler(
      resolveCompensationUpdate,
      async (decision: OperatorDecision): Promise<SagaProgress<object>> => {
        this.decision = decision;
        // Answer with the outcome: the saga at rest again (undone, resolved, or failed once more).
        await condition(() => this.decision === undefined && this.status !== 'COMPENSATING');
        return this.progress();
      },
      {
        validator: (_decision: OperatorDecision) => {
          if (this.status !== 'COMPENSATION_FAILED') throw new Error(`the saga is ${this.status}; there is nothing to resolve`);
        },
      },
    );
  }

  async step<T>(name: Step, definition: StepDefinition<T>): Promise<T> {
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
  async run<Result extends object>(body: () => Promise<Result>): Promise<SagaProgress<Result>> {
    sagaMetrics.started();
    try {
      this.result = await body();
      this.setStatus('COMPLETED');
    } catch (error) {
      if (!this.failure) this.failure = { step: 'saga', ...describeFailure(error) };
      this.setStatus('COMPENSATING');
      // Compensations must run even when the workflow itself was cancelled.
      await CancellationScope.nonCancellable(async () => {
        await this.unwind();
        this.setStatus(this.steps.some((step) => step.status === 'RESOLVED_BY_OPERATOR') ? 'RESOLVED_BY_OPERATOR' : 'COMPENSATED');
        // Let an operator's update answer before the workflow closes.
        await condition(allHandlersFinished);
      });
    }
    sagaMetrics.ended(this.status);
    // The result, when there is one, is what `body` returned.
    return this.progress() as SagaProgress<Result>;
  }

  /** What the progress query answers and the workflow returns: the same view, live or final. */
  progress(): SagaProgress<object> {
    return {
      status: this.status,
      steps: this.steps.map((step) => ({ ...step })),
      ...(this.failure ? { failure: this.failure } : {}),
      ...(this.compensationFailure ? { compensationFailure: this.compensationFailure } : {}),
      ...(this.result ? { result: this.result } : {}),
    };
  }

  private async unwind(): Promise<void> {
    for (const { step, undo } of [...this.compensations].reverse()) {
      // The step that failed keeps FAILED; its undo still runs in case it took effect before failing.
      const failed = step.status === 'FAILED';
      step.status = 'COMPENSATING';
      const undone = await this.undoUntilResolved(step, undo);
      step.status = undone ? (failed ? 'FAILED' : 'COMPENSATED') : 'RESOLVED_BY_OPERATOR';
      sagaMetrics.compensation(step.name, undone ? 'COMPENSATED' : 'RESOLVED_BY_OPERATOR');
    }
  }

  /**
   * Runs one undo. When it fails past its retry policy the saga does not end:
   * it shows COMPENSATION_FAILED (search attribute and query) and waits for an
   * operator's update. Returns false when the operator resolved it by hand.
   */
  private async undoUntilResolved(step: StepState, undo: () => Promise<unknown>): Promise<boolean> {
    for (;;) {
      try {
        await undo();
        return true;
      } catch (error) {
        step.status = 'COMPENSATION_FAILED';
        sagaMetrics.compensation(step.name, 'FAILED');
        this.compensationFailure = { step: step.name, ...describeFailure(error) };
        this.setStatus('COMPENSATION_FAILED');
        await condition(() => this.decision !== undefined);
        const { action } = this.decision!;
        this.decision = undefined;
        this.compensationFailure = undefined;
        this.setStatus('COMPENSATING');
        if (action === 'resolve') return false;
        step.status = 'COMPENSATING';
      }
    }
  }

  private setStatus(status: SagaStatus): void {
    this.status = status;
    // One upsert as before (the summary rides along: no new command, so histories replay unchanged).
    upsertSearchAttributes([
      { key: SEARCH.sagaStatus, value: status },
      { key: SEARCH.sagaSummary, value: this.summary() },
    ]);
    this.showDetails();
  }

  /** "rent book 12 — COMPENSATED: BOOK_NOT_AVAILABLE": the SagaSummary search attribute and the current details. */
  private summary(): string {
    const problem = this.compensationFailure ?? (this.status === 'COMPLETED' || this.status === 'RUNNING' ? undefined : this.failure);
    return summaryLine(this.label, this.status, problem?.code);
  }

  /**
   * The workflow's current details in the Temporal UI (its page, while it runs).
   * Workflow metadata answered to the UI's query: no command, so no effect on replay.
   */
  private showDetails(): void {
    setCurrentDetails(this.summary());
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

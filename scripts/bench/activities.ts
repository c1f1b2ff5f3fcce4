/** The bound scenarios' activities: they do nothing, so what is left is the cost of Temporal itself. */
export const BENCH_TASK_QUEUE = 'bench-bound';

const noop = async (_input?: unknown): Promise<void> => {};

export const benchActivities = { noop, step: noop, undo: noop };
export type BenchActivities = typeof benchActivities;

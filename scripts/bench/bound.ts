/**
 * bound-1 and bound-saga: workflows started straight through the Temporal
 * client on their own task queue, run by a worker inside the bench process
 * with activities that do nothing. What they reach is what the Temporal
 * server and one worker can do here, before any of our code runs.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { workerSinks } from '../../services/platform/worker-observability.ts';
import { SEARCH } from '../../services/contracts/temporal.ts';
import { BENCH_TASK_QUEUE, benchActivities } from './activities.ts';
import { sagaEnd, type Scenario } from './load.ts';
import { now } from './stats.ts';

const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export interface BoundWorker {
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export async function startBoundWorker(address: string, namespace: string): Promise<BoundWorker> {
  if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('WARN') }); // once per process
  runtimeInstalled = true;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  // workerSinks: the Saga helper reports to the saga metrics through a sink; without it every saga logs an error.
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue: BENCH_TASK_QUEUE,
    workflowBundle,
    activities: benchActivities,
    sinks: workerSinks(),
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export function boundScenario(client: Client, name: 'bound-1' | 'bound-saga'): Scenario {
  return {
    name,
    async runOne(startedAt, deadline) {
      const id = randomUUID();
      const memberId = randomUUID();
      const handle =
        name === 'bound-1'
          ? await client.workflow.start('boundOneWorkflow', { taskQueue: BENCH_TASK_QUEUE, workflowId: `bench-one-${id}`, args: [] })
          : await client.workflow.start('boundSagaWorkflow', {
              taskQueue: BENCH_TASK_QUEUE,
              workflowId: `bench-saga-${id}`,
              args: [{ memberId, bookNo: 1 }],
              // The same search attributes a real saga starts with (services/platform/sagas.ts).
              typedSearchAttributes: [
                { key: SEARCH.sagaType, value: 'bench-saga' },
                { key: SEARCH.memberId, value: memberId },
                { key: SEARCH.sagaStatus, value: 'RUNNING' },
                { key: SEARCH.bookNo, value: '1' },
              ],
            });
      const acceptedAt = now();
      return { kind: name, startedAt, acceptedAt, ...(await sagaEnd(handle, deadline)) };
    },
  };
}

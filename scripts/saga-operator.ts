/**
 * What an operator does with a saga whose undo gave up (SagaStatus = COMPENSATION_FAILED):
 *   npm run saga -- failed                          list them
 *   npm run saga -- show <workflowId>               its steps and the failed undo
 *   npm run saga -- retry <workflowId>              run the failed undo again (after fixing the cause)
 *   npm run saga -- resolve <workflowId> --note "…" record that it was undone by hand; the saga goes on unwinding
 * Finds the running dev profile (npm start), or the one named by `--profile test`; TEMPORAL_ADDRESS wins when set.
 */
import { connectTemporal } from '../services/platform/temporal.ts';
import { temporalConnectionOf } from '../services/platform/temporal-connection.ts';
import { loadConfig } from '../services/platform/config.ts';
import { NEEDS_OPERATOR_QUERY } from '../services/platform/sagas.ts';
import { progressQuery, resolveCompensationUpdate } from '../services/contracts/temporal.ts';
import { useOperatorTarget } from './operator-target.ts';

async function main() {
  const { args } = useOperatorTarget();
  const [command, workflowId] = args;
  const noteIndex = args.indexOf('--note');
  const note = noteIndex > 0 ? args[noteIndex + 1] : undefined;
  const config = loadConfig(
    { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://unused@localhost/unused' },
    { secrets: ['TEMPORAL_CODEC_KEYS'] },
  );
  const client = await connectTemporal({
    ...temporalConnectionOf(config),
    namespace: config.TEMPORAL_NAMESPACE,
    codecKeys: config.TEMPORAL_CODEC_KEYS,
  });
  try {
    if (command === 'failed') {
      let count = 0;
      for await (const execution of client.workflow.list({ query: NEEDS_OPERATOR_QUERY })) {
        console.log(`${execution.workflowId}\t${execution.type}\tstarted ${execution.startTime.toISOString()}`);
        count++;
      }
      if (count === 0) console.log('none: no saga waits for an operator');
    } else if (command === 'show' && workflowId) {
      console.log(JSON.stringify(await client.workflow.getHandle(workflowId).query(progressQuery), null, 2));
    } else if ((command === 'retry' || command === 'resolve') && workflowId) {
      if (command === 'resolve' && !note) throw new Error('resolve needs --note "what was done by hand"');
      const outcome = await client.workflow.getHandle(workflowId).executeUpdate(resolveCompensationUpdate, {
        args: [{ action: command, ...(note ? { note } : {}) }],
      });
      console.log(JSON.stringify(outcome, null, 2));
    } else {
      throw new Error('usage: saga-operator.ts failed | show <id> | retry <id> | resolve <id> --note "…"');
    }
  } finally {
    await client.connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

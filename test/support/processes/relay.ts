/**
 * The relay as the test stack runs it: processes/relay.ts, and with
 * RELAY_CRASH_AFTER_PUBLISH=true a producer that ends the process right after a
 * batch reached Kafka and before the relay marks it published (the duplicate
 * delivery test, test/faults/relay-crash.test.ts).
 */
import type { EventProducer } from '../../../services/platform/kafka.ts';
import { startRelayProcess } from '../../../processes/relay.ts';
import { runMain, runServiceProcess } from '../../../processes/runtime.ts';

const crashAfterPublish = process.env.RELAY_CRASH_AFTER_PUBLISH === 'true';

function crashingAfterSend(producer: EventProducer): EventProducer {
  return {
    ...producer,
    async sendBatch(batch) {
      const sent = await producer.sendBatch(batch);
      console.error('test fault: exiting between publishing and marking published');
      process.exit(86);
      return sent;
    },
  };
}

runMain(() =>
  runServiceProcess(
    'relay',
    (runtime) => startRelayProcess(runtime, crashAfterPublish ? crashingAfterSend : undefined),
    'relay publishing outboxes',
  ),
);

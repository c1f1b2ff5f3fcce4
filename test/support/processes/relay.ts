/**
 * The relay as the test stack runs it: processes/relay.ts, and with
 * RELAY_CRASH_AFTER_PUBLISH=<topic> a producer that ends the process right
 * after a batch with a message for that topic reached Kafka and before the
 * relay marks it published (the duplicate delivery test,
 * test/faults/relay-crash.test.ts). Batches of other topics (another outbox's
 * backlog) go out as usual, so the crash always hits the rows the test watches.
 */
import type { EventProducer } from '../../../services/platform/kafka.ts';
import { startRelayProcess } from '../../../processes/relay.ts';
import { runMain, runServiceProcess } from '../../../processes/runtime.ts';

const crashAfterTopic = process.env.RELAY_CRASH_AFTER_PUBLISH;

function crashingAfterSend(producer: EventProducer): EventProducer {
  return {
    ...producer,
    async sendBatch(batch) {
      const sent = await producer.sendBatch(batch);
      if (!batch.topicMessages?.some((messages) => messages.topic === crashAfterTopic)) return sent;
      console.error('test fault: exiting between publishing and marking published');
      process.exit(86);
      return sent;
    },
  };
}

runMain(() =>
  runServiceProcess(
    'relay',
    (runtime) => startRelayProcess(runtime, crashAfterTopic ? crashingAfterSend : undefined),
    'relay publishing outboxes',
  ),
);

import type { ProducerBatch, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { renewingProducer, type RenewableProducer } from './kafka.ts';
import { createLogger } from './logger.ts';

const logger = createLogger({ name: 'test', level: 'silent' });
const lostAnswer = () => Object.assign(new Error('Connection error: read ECONNRESET'), { name: 'KafkaJSConnectionError', retriable: true });
const batchOf = (...values: string[]): ProducerBatch => ({ topicMessages: [{ topic: 't', messages: values.map((value) => ({ value })) }] });

/** A stand-in producer whose sends answer from a script, logging which producer each call reached. */
type Answer = () => RecordMetadata[] | Promise<RecordMetadata[]>;

function scripted(id: number, log: string[], answers: Answer[] = [], connect: () => void = () => undefined): RenewableProducer {
  return {
    connect: async () => {
      log.push(`connect ${id}`);
      connect();
    },
    disconnect: async () => void log.push(`disconnect ${id}`),
    send: async () => [],
    sendBatch: async () => {
      log.push(`send ${id}`);
      return (answers.shift() ?? (() => []))();
    },
  };
}

/** Producers 2, 3, ... as the wrapper asks for them. */
function factory(log: string[], make: (id: number) => RenewableProducer = (id) => scripted(id, log)) {
  let id = 1;
  return () => make(++id);
}

/**
 * One partition of a broker and an idempotent producer, reduced to their sequence numbers: the
 * broker appends a batch whose first sequence is the next it expects, answers a repeat of its
 * last batch (same first and last sequence) with success without writing it, and refuses any
 * other as out of order; the producer, like kafkajs, takes its sequence numbers back when a
 * request fails, also when only the answer was lost.
 */
function partition() {
  const log: string[] = [];
  const state = new Map<number, { next: number; last?: [number, number] }>();
  let producers = 0;
  let loseNextAnswer = false;
  const producer = (): RenewableProducer => {
    const producerId = ++producers;
    let sequence = 0;
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async () => [],
      sendBatch: async (batch) => {
        const values = batch.topicMessages?.flatMap((topic) => topic.messages.map((message) => String(message.value))) ?? [];
        const first = sequence;
        const last = first + values.length - 1;
        sequence += values.length;
        const broker = state.get(producerId) ?? { next: 0 };
        state.set(producerId, broker);
        if (broker.last?.[0] === first && broker.last[1] === last) return []; // a duplicate: success, nothing written
        if (first !== broker.next) {
          sequence = first;
          throw Object.assign(new Error('The broker received an out of order sequence number'), { name: 'KafkaJSProtocolError', code: 45 });
        }
        log.push(...values);
        broker.next = last + 1;
        broker.last = [first, last];
        if (loseNextAnswer) {
          loseNextAnswer = false;
          sequence = first; // kafkajs rolls back a failed request's sequence numbers
          throw lostAnswer();
        }
        return [];
      },
    };
  };
  return {
    log,
    producer,
    loseNextAnswer: () => {
      loseNextAnswer = true;
    },
  };
}

describe('renewingProducer', () => {
  it('sends the batch after a failed send on a new producer; the failed send still fails; successes keep the producer', async () => {
    const log: string[] = [];
    const first = scripted(1, log, [() => [], failsAsLost()]);
    const producer = renewingProducer(factory(log), first, logger);
    await producer.sendBatch(batchOf('a'));
    await expect(producer.sendBatch(batchOf('b'))).rejects.toThrow(/ECONNRESET/);
    await producer.sendBatch(batchOf('b', 'c'));
    await producer.sendBatch(batchOf('d'));
    await producer.disconnect();
    expect(log).toEqual(['send 1', 'send 1', 'connect 2', 'disconnect 1', 'send 2', 'send 2', 'disconnect 2']);
  });

  it('renews after any failure, whatever its kind (the final error does not tell whether an earlier attempt reached the broker)', async () => {
    for (const error of [
      new Error('Producing to topic without metadata'),
      Object.assign(new Error('Request Produce(key: 0, version: 7) timed out'), { name: 'KafkaJSRequestTimeoutError' }),
      Object.assign(new Error('The broker received an out of order sequence number'), { name: 'KafkaJSProtocolError', code: 45 }),
    ]) {
      const log: string[] = [];
      const fails: Answer = () => {
        throw error;
      };
      const producer = renewingProducer(factory(log), scripted(1, log, [fails]), logger);
      await expect(producer.sendBatch(batchOf('a'))).rejects.toThrow(error.message);
      await producer.sendBatch(batchOf('a'));
      expect(log).toEqual(['send 1', 'connect 2', 'disconnect 1', 'send 2']);
    }
  });

  it('never sends on the spent producer: when the new one cannot connect the send fails unsent, and the next tries again', async () => {
    const log: string[] = [];
    let refuse = true;
    const make = (id: number) =>
      scripted(id, log, [], () => {
        if (refuse) throw new Error('Connection error: connect ECONNREFUSED');
      });
    const producer = renewingProducer(factory(log, make), scripted(1, log, [failsAsLost()]), logger);
    await expect(producer.sendBatch(batchOf('a'))).rejects.toThrow(/ECONNRESET/);
    await expect(producer.sendBatch(batchOf('a'))).rejects.toThrow(/ECONNREFUSED/);
    refuse = false;
    await producer.sendBatch(batchOf('a'));
    expect(log).toEqual(['send 1', 'connect 2', 'disconnect 2', 'connect 3', 'disconnect 1', 'send 3']);
  });

  it('sends waiting at once share one new producer; a late failure of the replaced one renews nothing', async () => {
    const log: string[] = [];
    let failLate: (error: Error) => void = () => undefined;
    const hangs: Answer = () => new Promise((_, reject) => (failLate = reject));
    const first = scripted(1, log, [hangs, failsAsLost()]);
    const producer = renewingProducer(factory(log), first, logger);
    const late = producer.sendBatch(batchOf('x')).catch((error: Error) => error.message);
    await expect(producer.sendBatch(batchOf('a'))).rejects.toThrow(/ECONNRESET/);
    await Promise.all([producer.sendBatch(batchOf('a')), producer.sendBatch(batchOf('b'))]);
    failLate(new Error('Connection error: closed'));
    expect(await late).toMatch(/closed/);
    await producer.sendBatch(batchOf('c'));
    expect(log).toEqual(['send 1', 'send 1', 'connect 2', 'disconnect 1', 'send 2', 'send 2', 'send 2']);
  });

  it('a batch resent after a lost answer is not taken for a duplicate: new rows with the same count reach the broker', async () => {
    // The hazard itself, on the model above: the broker wrote [a, b] but the answer was lost.
    const plain = partition();
    const alone = plain.producer();
    plain.loseNextAnswer();
    await expect(alone.sendBatch(batchOf('a', 'b'))).rejects.toThrow(/ECONNRESET/);
    await alone.sendBatch(batchOf('c', 'd')); // same sequence numbers as [a, b]: "success"
    expect(plain.log).toEqual(['a', 'b']); // c and d are lost

    const guarded = partition();
    const producer = renewingProducer(guarded.producer, guarded.producer(), logger);
    guarded.loseNextAnswer();
    await expect(producer.sendBatch(batchOf('a', 'b'))).rejects.toThrow(/ECONNRESET/);
    await producer.sendBatch(batchOf('c', 'd'));
    await producer.sendBatch(batchOf('a', 'b', 'e')); // the relay sending the lost batch's rows again
    expect(guarded.log).toEqual(['a', 'b', 'c', 'd', 'a', 'b', 'e']); // nothing lost; a and b twice, which consumers drop
  });
});

/** A scripted answer that fails as a lost answer does. */
function failsAsLost(): Answer {
  return () => {
    throw lostAnswer();
  };
}

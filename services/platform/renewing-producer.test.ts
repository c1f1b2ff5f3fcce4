import type { Kafka, Producer, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isLostProducerState, renewingProducer } from './kafka.ts';
import { createLogger } from './logger.ts';

const protocolError = (code: number) =>
  Object.assign(new Error('The broker received an out of order sequence number'), { name: 'KafkaJSProtocolError', code, retriable: false });

/** A stand-in producer whose sends answer from a script (pure logic: which producer a send goes to). */
function fakeProducer(id: number, answers: (() => RecordMetadata[])[], log: string[]): Producer {
  return {
    connect: async () => void log.push(`connect ${id}`),
    disconnect: async () => void log.push(`disconnect ${id}`),
    isIdempotent: () => true,
    sendBatch: async () => {
      log.push(`send ${id}`);
      return answers.shift()!();
    },
    send: async () => [],
  } as unknown as Producer;
}

describe('renewingProducer', () => {
  it('replaces a producer that fell out of step with the broker; the failed send still fails', async () => {
    const log: string[] = [];
    const first = fakeProducer(
      1,
      [
        () => {
          throw protocolError(45);
        },
      ],
      log,
    );
    const second = fakeProducer(2, [() => [], () => []], log);
    const kafka = { producer: () => second } as unknown as Kafka;
    const producer = renewingProducer(kafka, first, createLogger({ name: 'test', level: 'silent' }));
    await expect(producer.sendBatch({ topicMessages: [] })).rejects.toThrow(/out of order/);
    await producer.sendBatch({ topicMessages: [] });
    await producer.disconnect();
    expect(log).toEqual(['send 1', 'connect 2', 'disconnect 1', 'send 2', 'disconnect 2']);
  });

  it('keeps its producer through other failures', async () => {
    const log: string[] = [];
    const first = fakeProducer(
      1,
      [
        () => {
          throw Object.assign(new Error('Connection error: read ECONNRESET'), { name: 'KafkaJSConnectionError', retriable: true });
        },
        () => [],
      ],
      log,
    );
    const kafka = {
      producer: () => {
        throw new Error('must not be called');
      },
    } as unknown as Kafka;
    const producer = renewingProducer(kafka, first, createLogger({ name: 'test', level: 'silent' }));
    await expect(producer.sendBatch({ topicMessages: [] })).rejects.toThrow(/ECONNRESET/);
    await producer.sendBatch({ topicMessages: [] });
    expect(log).toEqual(['send 1', 'send 1']);
  });

  it('knows the answers that only a new producer id cures, also wrapped by kafkajs retries', () => {
    for (const code of [45, 47, 49, 59]) expect(isLostProducerState(protocolError(code))).toBe(true);
    expect(
      isLostProducerState(
        Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: protocolError(45) }),
      ),
    ).toBe(true);
    expect(isLostProducerState(protocolError(6))).toBe(false); // NOT_LEADER_FOR_PARTITION: kafkajs retries it itself
    expect(isLostProducerState(Object.assign(new Error('x'), { code: 45 }))).toBe(false);
  });
});

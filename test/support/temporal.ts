import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { DEVELOPMENT_CODEC_KEYS } from '../../services/platform/config.ts';
import { parseCodecKeys } from '../../services/platform/payload-codec.ts';
import { connectTemporal } from '../../services/platform/temporal.ts';
import { stack } from './api.ts';

/** A Temporal client that reads and writes payloads like the test stack's processes (same codec keys). */
export function decodingClient(): Promise<Client> {
  return connectTemporal({
    address: stack().temporalAddress,
    namespace: 'default',
    codecKeys: parseCodecKeys(process.env.TEMPORAL_CODEC_KEYS ?? DEVELOPMENT_CODEC_KEYS),
  });
}

/** Every string and byte of a history as UTF-8 text, so nothing can hide in it. */
export function everyText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(everyText).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(everyText).join('\n');
  return '';
}

/** What a history says once decoded: every payload and every encoded failure, through the codec. */
export interface DecodedHistory {
  /** The decoded data of each payload (inputs, results, signal and update arguments, markers), labelled by where it sits. */
  payloads: { at: string; text: string }[];
  /** The decoded message and stack trace of each failure. */
  failures: { at: string; message: string; stackTrace: string }[];
  /** All of it, plus every other string of the history (ids, types, search attributes, headers), as one text to search. */
  text: string;
}

/**
 * Decodes a history the way an operator with the keys reads it (the Temporal UI
 * through the codec endpoint), so a search for personal data sees what the
 * ciphertext hides. A payload the codec cannot decode fails the call.
 */
export async function decodeHistory(history: unknown, codec: PayloadCodec): Promise<DecodedHistory> {
  const payloads: DecodedHistory['payloads'] = [];
  const failures: DecodedHistory['failures'] = [];
  const visit = async (value: unknown, at: string): Promise<void> => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    const record = value as Record<string, unknown>;
    if (record.metadata && typeof record.metadata === 'object' && 'data' in record) {
      const [decoded] = await codec.decode([record as Payload]);
      payloads.push({ at, text: Buffer.from(decoded?.data ?? []).toString('utf8') });
      return;
    }
    if (record.encodedAttributes && typeof record.encodedAttributes === 'object') {
      const [decoded] = await codec.decode([record.encodedAttributes as Payload]);
      const attributes = JSON.parse(Buffer.from(decoded?.data ?? []).toString('utf8')) as { message?: string; stack_trace?: string };
      failures.push({ at, message: attributes.message ?? '', stackTrace: attributes.stack_trace ?? '' });
    }
    for (const [key, child] of Object.entries(record)) await visit(child, at ? `${at}.${key}` : key);
  };
  await visit(history, '');
  const decodedText = [...payloads.map((payload) => payload.text), ...failures.flatMap((failure) => [failure.message, failure.stackTrace])];
  return { payloads, failures, text: [everyText(history), ...decodedText].join('\n') };
}

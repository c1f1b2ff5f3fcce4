import type { Client } from '@temporalio/client';
import { DEVELOPMENT_CODEC_KEYS } from '../../services/platform/config.ts';
import { parseCodecKeys } from '../../services/platform/payload-codec.ts';
import { connectTemporal } from '../../services/platform/temporal.ts';
import { stack } from './api.ts';

/** A Temporal client that reads and writes payloads like the test stack's processes (same codec keys). */
export function decodingClient(): Promise<Client> {
  return connectTemporal({ address: stack().temporalAddress, namespace: 'default', codecKeys: parseCodecKeys(process.env.TEMPORAL_CODEC_KEYS ?? DEVELOPMENT_CODEC_KEYS) });
}

/** Every string and byte of a history as UTF-8 text, so nothing can hide in it. */
export function everyText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(everyText).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(everyText).join('\n');
  return '';
}

import type { Client } from '@temporalio/client';
import { DEVELOPMENT_CODEC_KEYS } from '../../services/platform/config.ts';
import { parseCodecKeys } from '../../services/platform/payload-codec.ts';
import { connectTemporal } from '../../services/platform/temporal.ts';
import { stack } from './api.ts';

/** A Temporal client that reads and writes payloads like the test stack's processes (same codec keys). */
export function decodingClient(): Promise<Client> {
  return connectTemporal({ address: stack().temporalAddress, namespace: 'default', codecKeys: parseCodecKeys(process.env.TEMPORAL_CODEC_KEYS ?? DEVELOPMENT_CODEC_KEYS) });
}

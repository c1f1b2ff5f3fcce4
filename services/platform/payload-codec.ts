/**
 * Encrypts every payload Temporal stores (workflow and activity inputs,
 * results, failure messages) with AES-256-GCM. The key id travels in the
 * payload's metadata, so keys can rotate: the first configured key encrypts,
 * every configured key decrypts.
 *
 * Payloads that are not encrypted pass through the clients' codec (the API,
 * the codec endpoint, replays of histories written before encryption was
 * turned on). The workers' codec refuses them: a workflow input, signal or
 * update that did not come through an encrypting client (a plaintext start
 * with the `temporal` CLI, say) fails its workflow task before any workflow
 * code runs, so it has no effect.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto'; // CommonJS: no named ESM exports

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

export interface CodecKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = proto.temporal.api.common.v1.Payload;

/** `id:base64key,id:base64key`, the first one encrypts (TEMPORAL_CODEC_KEYS). */
export function parseCodecKeys(value: string): CodecKey[] {
  const keys = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const separator = entry.indexOf(':');
      const id = entry.slice(0, separator);
      if (separator < 1 || !/^[\w.-]{1,64}$/.test(id))
        throw new Error(`a codec key must read id:base64key with id of letters, digits, _ . -, not "${entry.slice(0, 12)}..."`);
      const key = Buffer.from(entry.slice(separator + 1), 'base64');
      if (key.length !== 32) throw new Error(`codec key "${id}" must be 32 bytes of base64 (openssl rand -base64 32), not ${key.length}`);
      return { id, key };
    });
  if (keys.length === 0) throw new Error('at least one codec key is required');
  const ids = keys.map((key) => key.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated) throw new Error(`codec key id "${repeated}" appears twice`);
  return keys;
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;
}

export interface EncryptionCodecOptions {
  /** `refuse`: decoding a payload that is not encrypted throws (workers); `pass`: it is returned as is (clients, replays). */
  plaintext?: 'pass' | 'refuse';
}

/** What a worker says when it meets a payload no encrypting client wrote. */
export const PLAINTEXT_REFUSED =
  'refused an unencrypted payload: workflow inputs, signals and updates must be encrypted with TEMPORAL_CODEC_KEYS';

export class EncryptionCodec implements PayloadCodec {
  readonly #encrypting: CodecKey;
  readonly #byId: Map<string, Buffer>;
  readonly #refusePlaintext: boolean;

  constructor(keys: readonly CodecKey[], options: EncryptionCodecOptions = {}) {
    if (!keys[0]) throw new Error('EncryptionCodec needs at least one key');
    this.#encrypting = keys[0];
    this.#byId = new Map(keys.map((key) => [key.id, key.key]));
    this.#refusePlaintext = options.plaintext === 'refuse';
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const { id, key } = this.#encrypting;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(id)); // the key id cannot be swapped without failing authentication
      const sealed = Buffer.concat([cipher.update(ProtoPayload.encode(payload).finish()), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA_KEY]: Buffer.from(id) },
        data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!isEncrypted(payload)) {
        if (this.#refusePlaintext) throw new PlaintextPayloadRefused();
        return payload;
      }
      const id = text(payload.metadata?.[KEY_ID_METADATA_KEY]);
      const key = id === undefined ? undefined : this.#byId.get(id);
      if (!key) {
        throw new Error(
          `cannot decrypt a payload encrypted with key id "${id ?? '(none)'}": TEMPORAL_CODEC_KEYS has only ${[...this.#byId.keys()].join(', ')}`,
        );
      }
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`encrypted payload (key id "${id}") is truncated`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id!));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new Error(`cannot decrypt a payload with key id "${id}": wrong key material for that id, or the payload was altered`);
      }
      return ProtoPayload.decode(plain);
    });
  }
}

/** Thrown by a worker's codec for an unencrypted payload; the worker fails the workflow task with it. */
export class PlaintextPayloadRefused extends Error {
  override readonly name = 'PlaintextPayloadRefused';
  constructor() {
    super(PLAINTEXT_REFUSED);
  }
}

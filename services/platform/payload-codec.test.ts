import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_CODEC_KEYS, loadConfig } from './config.ts';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA_KEY,
  PLAINTEXT_REFUSED,
  PlaintextPayloadRefused,
  isEncrypted,
  parseCodecKeys,
} from './payload-codec.ts';

const key = (id: string) => ({ id, key: randomBytes(32) });
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value)!;
const fromPayload = (payload: Parameters<typeof defaultPayloadConverter.fromPayload>[0]) => defaultPayloadConverter.fromPayload(payload);
const metadata = (payload: { metadata?: Record<string, Uint8Array> | null }, name: string) =>
  Buffer.from(payload.metadata![name]!).toString();
const input = { signupId: 's-1', memberId: 'm-1', nickname: 'ann_the_reader', favoriteStyles: ['poetry'] };

describe('EncryptionCodec (AES-256-GCM)', () => {
  it("in a worker (plaintext: 'refuse') refuses an unencrypted payload and still decodes encrypted ones", async () => {
    const keys = [key('k1')];
    const worker = new EncryptionCodec(keys, { plaintext: 'refuse' });
    await expect(worker.decode([toPayload(input)])).rejects.toBeInstanceOf(PlaintextPayloadRefused);
    await expect(worker.decode([toPayload(undefined)])).rejects.toThrow(PLAINTEXT_REFUSED);
    const encoded = await new EncryptionCodec(keys).encode([toPayload(input)]);
    expect(fromPayload((await worker.decode(encoded))[0]!)).toEqual(input);
    // One plaintext payload among encrypted ones is enough to refuse the lot.
    await expect(worker.decode([...encoded, toPayload('plain')])).rejects.toThrow(PLAINTEXT_REFUSED);
    // The clients' codec (the default) lets it through: the API and the codec endpoint read old histories.
    expect(fromPayload((await new EncryptionCodec(keys).decode([toPayload(input)]))[0]!)).toEqual(input);
  });

  it('round-trips payloads and leaves nothing readable in the encoded form', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [encoded] = await codec.encode([toPayload(input)]);
    expect(metadata(encoded!, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(metadata(encoded!, KEY_ID_METADATA_KEY)).toBe('k1');
    expect(Object.keys(encoded!.metadata!)).toEqual(['encoding', KEY_ID_METADATA_KEY]); // json/plain is inside
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain('ann_the_reader');
    const [decoded] = await codec.decode([encoded!]);
    expect(fromPayload(decoded!)).toEqual(input);
  });

  it('uses a fresh nonce every time', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [a, b] = await codec.encode([toPayload('same'), toPayload('same')]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads that were never encrypted through unchanged (histories from before encryption)', async () => {
    const plain = toPayload(input);
    const [decoded] = await new EncryptionCodec([key('k1')]).decode([plain]);
    expect(decoded).toBe(plain);
    expect(isEncrypted(plain)).toBe(false);
  });

  it('names the unknown key id when it cannot decrypt', async () => {
    const [encoded] = await new EncryptionCodec([key('retired-2019')]).encode([toPayload(input)]);
    await expect(new EncryptionCodec([key('k2'), key('k3')]).decode([encoded!])).rejects.toThrow(
      'cannot decrypt a payload encrypted with key id "retired-2019": TEMPORAL_CODEC_KEYS has only k2, k3',
    );
  });

  it('refuses the same key id with other key material, and altered data', async () => {
    const [encoded] = await new EncryptionCodec([key('k1')]).encode([toPayload(input)]);
    await expect(new EncryptionCodec([key('k1')]).decode([encoded!])).rejects.toThrow(
      /key id "k1": wrong key material .* or the payload was altered/,
    );
    const codec = new EncryptionCodec([key('k1')]);
    const [mine] = await codec.encode([toPayload(input)]);
    const altered = Buffer.from(mine!.data!);
    altered[20]! ^= 1;
    await expect(codec.decode([{ ...mine, data: altered }])).rejects.toThrow(/altered/);
    // The key id is authenticated too: relabelling a payload with another configured key fails.
    const relabelled = { ...mine, metadata: { ...mine!.metadata, [KEY_ID_METADATA_KEY]: Buffer.from('k0') } };
    await expect(new EncryptionCodec([key('k0')]).decode([relabelled])).rejects.toThrow(/altered/);
  });

  it('rotates: the first key encrypts, the old one still decrypts what it encrypted', async () => {
    const old = key('2024');
    const fresh = key('2025');
    const [before] = await new EncryptionCodec([old]).encode([toPayload('written last year')]);
    const rotated = new EncryptionCodec([fresh, old]);
    const [after] = await rotated.encode([toPayload('written today')]);
    expect(metadata(after!, KEY_ID_METADATA_KEY)).toBe('2025');
    expect((await rotated.decode([before!, after!])).map(fromPayload)).toEqual(['written last year', 'written today']);
    await expect(new EncryptionCodec([fresh]).decode([before!])).rejects.toThrow(/key id "2024"/); // old key removed too early
  });
});

describe('TEMPORAL_CODEC_KEYS', () => {
  const base64 = () => randomBytes(32).toString('base64');

  it('parses id:base64key pairs, the first one encrypting', () => {
    const keys = parseCodecKeys(` new:${base64()} , old:${base64()}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[0]!.key).toHaveLength(32);
  });

  it('refuses short keys, missing ids and repeated ids', () => {
    expect(() => parseCodecKeys(`a:${randomBytes(16).toString('base64')}`)).toThrow(/must be 32 bytes/);
    expect(() => parseCodecKeys(base64())).toThrow(/id:base64key/);
    expect(() => parseCodecKeys(`a:${base64()},a:${base64()}`)).toThrow(/appears twice/);
    expect(() => parseCodecKeys(' , ')).toThrow(/at least one/);
  });

  it('has a development default, refused in production', () => {
    const env = { DATABASE_URL: 'postgresql://u:p@localhost/db', NODE_ENV: 'development' };
    expect(loadConfig(env).TEMPORAL_CODEC_KEYS).toEqual(parseCodecKeys(DEVELOPMENT_CODEC_KEYS));
    const production = { ...env, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ADMIN_PASSWORD: 'a real admin password' };
    expect(() => loadConfig(production)).toThrow(/: TEMPORAL_CODEC_KEYS must be set/);
    expect(() => loadConfig({ ...production, TEMPORAL_CODEC_KEYS: DEVELOPMENT_CODEC_KEYS })).toThrow(/: TEMPORAL_CODEC_KEYS must be set/);
    expect(
      loadConfig({ ...production, TEMPORAL_CODEC_KEYS: `prod-1:${base64()},${DEVELOPMENT_CODEC_KEYS}` }).TEMPORAL_CODEC_KEYS[0]!.id,
    ).toBe('prod-1');
    expect(() => loadConfig({ ...env, TEMPORAL_CODEC_KEYS: 'k:short' })).toThrow(
      /invalid configuration for NODE_ENV=development: TEMPORAL_CODEC_KEYS: codec key "k" must be 32 bytes/,
    );
  });
});

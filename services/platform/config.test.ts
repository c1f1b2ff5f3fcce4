import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_CODEC_KEYS, DEVELOPMENT_SECRETS, loadConfig } from './config.ts';

const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db' };
const realKeys = `prod-1:${randomBytes(32).toString('base64')}`;
const realSecrets = { JWT_SECRET: randomBytes(32).toString('hex'), TEMPORAL_CODEC_KEYS: realKeys, ADMIN_PASSWORD: 'a long admin password' };

describe('loadConfig: the public development secrets', () => {
  it.each(['development', 'test'])('are filled in under NODE_ENV=%s', (NODE_ENV) => {
    const config = loadConfig({ ...base, NODE_ENV });
    expect(config.NODE_ENV).toBe(NODE_ENV);
    expect(config.JWT_SECRET).toBe(DEVELOPMENT_SECRETS.JWT_SECRET);
    expect(config.ADMIN_PASSWORD).toBe(DEVELOPMENT_SECRETS.ADMIN_PASSWORD);
    expect(config.TEMPORAL_CODEC_KEYS[0]!.id).toBe('dev');
  });

  it.each([undefined, 'production', 'staging', 'prod', ''])(
    'are refused under NODE_ENV=%s, with one message naming every missing secret',
    (NODE_ENV) => {
      const env = NODE_ENV === undefined ? base : { ...base, NODE_ENV };
      let message = '';
      try {
        loadConfig(env);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^invalid configuration for NODE_ENV/);
      expect(message).toContain('JWT_SECRET, TEMPORAL_CODEC_KEYS, ADMIN_PASSWORD must be set');
      expect(message.match(/invalid configuration/g)).toHaveLength(1);
    },
  );

  it('refuses a secret set to its public development value outside development', () => {
    for (const name of ['JWT_SECRET', 'TEMPORAL_CODEC_KEYS', 'ADMIN_PASSWORD'] as const) {
      const env = { ...base, NODE_ENV: 'production', ...realSecrets, [name]: DEVELOPMENT_SECRETS[name] };
      expect(() => loadConfig(env), name).toThrow(new RegExp(`: ${name} must be set to secret values`));
    }
  });

  it('treats an empty variable as unset', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', ...realSecrets, JWT_SECRET: '' })).toThrow(/: JWT_SECRET must be set/);
  });

  it('starts with real secrets in production, and keeps the public key as a decrypting key only', () => {
    const config = loadConfig({
      ...base,
      NODE_ENV: 'production',
      ...realSecrets,
      TEMPORAL_CODEC_KEYS: `${realKeys},${DEVELOPMENT_CODEC_KEYS}`,
    });
    expect(config.NODE_ENV).toBe('production');
    expect(config.TEMPORAL_CODEC_KEYS.map((key) => key.id)).toEqual(['prod-1', 'dev']);
    expect(() =>
      loadConfig({ ...base, NODE_ENV: 'production', ...realSecrets, TEMPORAL_CODEC_KEYS: `${DEVELOPMENT_CODEC_KEYS},${realKeys}` }),
    ).toThrow(/TEMPORAL_CODEC_KEYS must be set/);
  });

  it('requires only the secrets a process uses, and a secret it did not ask for cannot be read', () => {
    const relay = loadConfig({ ...base, NODE_ENV: 'production' }, { secrets: [] });
    expect(() => relay.JWT_SECRET).toThrow(/JWT_SECRET is not configured for this process/);
    expect(() => loadConfig({ ...base }, { secrets: ['TEMPORAL_CODEC_KEYS'] })).toThrow(
      /: TEMPORAL_CODEC_KEYS must be set to secret values \(/,
    );
    expect(loadConfig({ ...base, TEMPORAL_CODEC_KEYS: realKeys }, { secrets: ['TEMPORAL_CODEC_KEYS'] }).TEMPORAL_CODEC_KEYS[0]!.id).toBe(
      'prod-1',
    );
  });

  it('still validates the values it is given, in the same message', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(
      /JWT_SECRET: .*; TEMPORAL_CODEC_KEYS, ADMIN_PASSWORD must be set/,
    );
  });
});

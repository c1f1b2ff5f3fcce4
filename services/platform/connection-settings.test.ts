/**
 * Managed services: the TLS, SASL and API-key settings are validated at
 * start-up (loadConfig) and reach the options the Kafka and Temporal clients
 * are built with.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { kafkaConnectionOf } from './kafka.ts';
import { temporalConnectionOf } from './temporal-connection.ts';

const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db', NODE_ENV: 'test' };
const files: Record<string, string> = { '/ca.pem': 'CA', '/cert.pem': 'CERT', '/key.pem': 'KEY' };
const readText = (path: string) =>
  files[path] ??
  (() => {
    throw new Error(`no file ${path}`);
  })();
const readBytes = (path: string) => Buffer.from(readText(path));

describe('Kafka TLS and SASL', () => {
  it('plain brokers by default: no TLS, no SASL', () => {
    expect(kafkaConnectionOf(loadConfig(base), readText)).toEqual({ brokers: ['127.0.0.1:9092'] });
  });

  it('TLS with a private CA and a client certificate, SASL/SCRAM, reach the kafkajs options', () => {
    const config = loadConfig({
      ...base,
      KAFKA_BROKERS: 'b-1.kafka.example:9096,b-2.kafka.example:9096',
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: '/ca.pem',
      KAFKA_TLS_CERT_FILE: '/cert.pem',
      KAFKA_TLS_KEY_FILE: '/key.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'library',
      KAFKA_SASL_PASSWORD: 'not-a-real-password',
    });
    expect(kafkaConnectionOf(config, readText)).toEqual({
      brokers: ['b-1.kafka.example:9096', 'b-2.kafka.example:9096'],
      ssl: { rejectUnauthorized: true, ca: ['CA'], cert: 'CERT', key: 'KEY' },
      sasl: { mechanism: 'scram-sha-512', username: 'library', password: 'not-a-real-password' },
    });
    // TLS against a public CA: certificates are still verified
    expect(kafkaConnectionOf(loadConfig({ ...base, KAFKA_TLS: 'true' }), readText).ssl).toEqual({ rejectUnauthorized: true });
  });

  it('refuses settings that do not go together, at start-up', () => {
    expect(() => loadConfig({ ...base, KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
    expect(() => loadConfig({ ...base, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toThrow('need KAFKA_SASL_MECHANISM');
    expect(() => loadConfig({ ...base, KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => loadConfig({ ...base, KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: '/cert.pem' })).toThrow(
      'KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together',
    );
    expect(() => loadConfig({ ...base, KAFKA_TLS_CA_FILE: '/ca.pem' })).toThrow('KAFKA_TLS_* files are set but KAFKA_TLS is not true');
    expect(() => loadConfig({ ...base, KAFKA_TOPIC_REPLICATION_FACTOR: '1', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' })).toThrow(
      'cannot exceed KAFKA_TOPIC_REPLICATION_FACTOR',
    );
  });
});

/** Connection.lazy builds the gRPC client without dialling; its channel credentials say whether TLS is on. */
const secure = (connection: Connection) => connection.options.credentials?._isSecure();

describe('Temporal TLS and API key', () => {
  it('plain by default', () => {
    expect(temporalConnectionOf(loadConfig({ ...base, TEMPORAL_ADDRESS: 'temporal:7233' }), readBytes)).toEqual({
      address: 'temporal:7233',
    });
  });

  it('mutual TLS (Temporal Cloud certificates) reaches the client connection', () => {
    const config = loadConfig({
      ...base,
      TEMPORAL_ADDRESS: 'library.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'library.a1b2c',
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_CA_FILE: '/ca.pem',
      TEMPORAL_TLS_CERT_FILE: '/cert.pem',
      TEMPORAL_TLS_KEY_FILE: '/key.pem',
      TEMPORAL_TLS_SERVER_NAME: 'library.a1b2c.tmprl.cloud',
    });
    const options = temporalConnectionOf(config, readBytes);
    expect(options).toEqual({
      address: 'library.a1b2c.tmprl.cloud:7233',
      tls: {
        serverNameOverride: 'library.a1b2c.tmprl.cloud',
        serverRootCACertificate: Buffer.from('CA'),
        clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
      },
    });
    expect(secure(Connection.lazy({ address: 'temporal:7233' }))).toBe(false);
    // With a real certificate pair (made here by openssl), the gRPC client is built with it.
    const dir = mkdtempSync(join(tmpdir(), 'mtls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=library',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const real = temporalConnectionOf({
      ...config,
      TEMPORAL_TLS_CA_FILE: join(dir, 'cert.pem'),
      TEMPORAL_TLS_CERT_FILE: join(dir, 'cert.pem'),
      TEMPORAL_TLS_KEY_FILE: join(dir, 'key.pem'),
    });
    expect(secure(Connection.lazy(real))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an API key implies TLS and is sent as the credentials', async () => {
    const config = loadConfig({
      ...base,
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_API_KEY: 'key-from-the-cloud-console',
    });
    const options = temporalConnectionOf(config, readBytes);
    expect(options).toEqual({ address: 'eu-west-1.aws.api.temporal.io:7233', tls: true, apiKey: 'key-from-the-cloud-console' });
    const connection = Connection.lazy(options);
    expect(secure(connection)).toBe(true);
    // A private field, read by name (TypeScript types element access to private members; dot access would not compile).
    // biome-ignore lint/complexity/useLiteralKeys: the key is a private member's
    const apiKey = connection['apiKeyFnRef'].fn?.();
    expect(apiKey).toBe('key-from-the-cloud-console');
  });

  it('refuses two ways to sign in, and certificate halves', () => {
    expect(() =>
      loadConfig({ ...base, TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'true', TEMPORAL_TLS_CERT_FILE: '/c', TEMPORAL_TLS_KEY_FILE: '/k' }),
    ).toThrow('choose one');
    expect(() => loadConfig({ ...base, TEMPORAL_TLS: 'true', TEMPORAL_TLS_KEY_FILE: '/k' })).toThrow(
      'TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together',
    );
  });
});

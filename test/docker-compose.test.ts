/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks what
 * would stop it: every app service's environment, with the secrets of a
 * filled-in `.env`, passes the configuration validation the processes use
 * (services/platform/config.ts, NODE_ENV=production as the Dockerfile sets);
 * no secret is written in the file; volumes are made writable for the images'
 * users; the topology is the cluster's.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, ZConfig } from '../services/platform/config.ts';
import { NODE_FLAGS, PROCESS_NAMES } from '../scripts/processes.ts';
import { rolesToMake } from '../scripts/db/roles.ts';
import { DATABASE_USERS } from '../services/platform/service-databases.ts';

const root = resolve(import.meta.dirname, '..');
const composeText = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error} (empty counts as unset, as with the colon forms). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?:(:-|:\?)([^}]*))?\}/g, (_match, name: string, operator?: string, argument?: string) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (operator === ':?') throw new Error(`required variable ${name} is missing: ${argument}`);
    return operator === ':-' ? (argument ?? '') : '';
  });
}

/** The variables .env.example documents, with values as its comments say to make them. */
function envExample(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(resolve(root, '.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^\w+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
function filledIn(): Record<string, string> {
  const secret = (bytes: number) => randomBytes(bytes).toString('base64');
  const example = envExample();
  const filled: Record<string, string> = {};
  for (const [name, value] of Object.entries(example)) {
    if (value !== '') filled[name] = value;
    else if (name === 'TEMPORAL_CODEC_KEYS') filled[name] = `prod-1:${secret(32)}`;
    else if (name === 'JWT_SECRET') filled[name] = secret(48);
    else filled[name] = secret(18).replace(/[+/=]/g, 'x'); // a password that needs no escaping in a URL
  }
  return filled;
}

const APP_SERVICES = PROCESS_NAMES.flatMap((name) => [`${name}-1`, `${name}-2`]);
const composeWith = (env: Record<string, string>) => parse(interpolate(composeText, env), { merge: true });
/** NODE_ENV as the image sets it, then the service's own environment. */
const imageEnv = (): Record<string, string> => ({ NODE_ENV: /ENV NODE_ENV=(\w+)/.exec(dockerfile)?.[1] ?? 'development' });
const stringify = (environment: Record<string, unknown>) => Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)]));

describe('docker-compose.yml', () => {
  it('mirrors the cluster topology: three brokers with a quorum of three, the Temporal server on PostgreSQL, the UI, every app process twice', () => {
    const compose = composeWith(filledIn());
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'kafka-1',
        'kafka-2',
        'kafka-3',
        'temporal-schema',
        'temporal',
        'temporal-namespace',
        'temporal-ui',
        'mailpit',
        'migrate',
        ...APP_SERVICES,
      ]),
    );
    for (const broker of ['kafka-1', 'kafka-2', 'kafka-3']) {
      const environment = compose.services[broker].environment;
      expect(environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
      expect(environment.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093');
      expect(environment).toMatchObject({
        KAFKA_MIN_INSYNC_REPLICAS: 2,
        KAFKA_DEFAULT_REPLICATION_FACTOR: 3,
        KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE: 'false',
      });
    }
    expect(compose.services.temporal.image).toMatch(/^temporalio\/server:/); // not the CLI's dev server
    expect(compose.services.temporal.environment.DB).toBe('postgres12');
    expect(compose.services['temporal-ui'].environment.TEMPORAL_CODEC_ENDPOINT).toMatch(/\/codec$/);
  });

  it('passes every app service environment through the configuration validation of the processes (production)', () => {
    const compose = composeWith(filledIn());
    const known = new Set(Object.keys(ZConfig.shape));
    for (const name of [...APP_SERVICES, 'migrate']) {
      const environment = stringify(compose.services[name].environment ?? {});
      for (const variable of Object.keys(environment)) expect(known.has(variable), `${name} sets unknown ${variable}`).toBe(true);
      const config = loadConfig({ ...imageEnv(), ...environment });
      expect(config.NODE_ENV, name).toBe('production');
      expect(config.KAFKA_BROKERS, name).toHaveLength(3);
      expect(config.KAFKA_TOPIC_REPLICATION_FACTOR, name).toBe(3);
      expect(config.KAFKA_TOPIC_MIN_INSYNC_REPLICAS, name).toBe(2);
      // Mail goes to the compose Mailpit; confirmation links point where the browser reaches the API.
      expect(config.SMTP_URL, name).toBe('smtp://mailpit:1025');
      expect(config.PUBLIC_BASE_URL, name).toBe('http://localhost:3000');
      // Each service, and the relay, on a role of its own that the migrate job makes.
      const roles = rolesToMake(config.DATABASE_URL, environment);
      expect(
        roles.map((entry) => entry.user),
        name,
      ).toEqual([...DATABASE_USERS]);
      expect(new Set(roles.map((entry) => entry.role)).size, name).toBe(DATABASE_USERS.length);
    }
    // The two APIs allow the UI's origin to call the codec endpoint.
    expect(compose.services['api-1'].environment.TEMPORAL_UI_URL).toBe('http://localhost:8233');
  });

  it('refuses to start without the secrets, and the validation refuses development ones', () => {
    // The example as committed has empty secrets: compose's ${VAR:?} stops it.
    expect(() => composeWith(envExample())).toThrow(/required variable \w+ is missing/);
    const compose = composeWith({ ...filledIn(), TEMPORAL_CODEC_KEYS: 'dev:Ym9vay1yZW50YWwtc2FnYXMgZGV2IGNvZGVjIGtleSE=' });
    expect(() => loadConfig({ ...imageEnv(), ...stringify(compose.services['worker-1'].environment) })).toThrow(/TEMPORAL_CODEC_KEYS/);
  });

  it('holds no secret literal: every password, key, secret and token comes from .env', () => {
    const secretNamed = /PASSWORD|PWD|SECRET|_KEYS?$|TOKEN/;
    const raw = parse(composeText, { merge: true });
    for (const [service, definition] of Object.entries<{ environment?: Record<string, unknown> }>(raw.services)) {
      for (const [name, value] of Object.entries(definition.environment ?? {})) {
        if (secretNamed.test(name)) expect(String(value), `${service} ${name}`).toMatch(/^\$\{\w+:\?[^}]*\}$/);
      }
      for (const [name, url] of Object.entries(definition.environment ?? {})) {
        if (name.endsWith('DATABASE_URL')) expect(String(url), `${service} ${name}`).toMatch(/^postgresql:\/\/\w+:\$\{\w+:\?[^}]*\}@/);
      }
    }
  });

  it("makes the brokers' volumes writable by their image user (uid 1000) before they start", () => {
    const compose = composeWith(filledIn());
    const owners = compose.services['volume-owners'];
    expect(owners.user).toBe('0');
    expect(owners.command.slice(0, 3)).toEqual(['chown', '-R', '1000:1000']);
    for (const broker of ['kafka-1', 'kafka-2', 'kafka-3']) {
      const [volume] = compose.services[broker].volumes[0].split(':');
      expect(owners.volumes.map((v: string) => v.split(':')[0])).toContain(volume);
      expect(compose.services[broker].depends_on['volume-owners'].condition).toBe('service_completed_successfully');
    }
    // The Temporal server keeps everything in PostgreSQL: no volume of its own to own.
    expect(compose.services.temporal.volumes).toBeUndefined();
  });

  it('starts each app process with the same Node flags as npm start, npm run <name> and the Dockerfile', () => {
    const compose = composeWith(filledIn());
    const command = (name: string) => ['node', ...NODE_FLAGS, '--import', 'tsx', `processes/${name}.ts`];
    const scripts = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).scripts;
    for (const name of PROCESS_NAMES) {
      for (const copy of [1, 2])
        expect(compose.services[`${name}-${copy}`].command, `docker-compose ${name}-${copy}`).toEqual(command(name));
      expect(scripts[name], `npm run ${name}`).toBe(command(name).join(' '));
    }
    expect(dockerfile).toContain(`CMD ${JSON.stringify(command('api')).replaceAll(',', ', ')}`);
  });
});

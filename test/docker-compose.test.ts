import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ZConfig } from '../services/platform/config.ts';
import { NODE_FLAGS, PROCESS_NAMES } from '../scripts/processes.ts';

const compose = parse(readFileSync(resolve(import.meta.dirname, '../docker-compose.yml'), 'utf8'), { merge: true });

describe('docker-compose.yml', () => {
  it('runs the same topology as the embedded default', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'kafka', 'migrate', 'api', 'worker', 'relay', 'consumers']),
    );
    expect(compose.services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('gives the app processes only configuration variables the code knows', () => {
    const known = new Set(Object.keys(ZConfig.shape));
    for (const name of ['api', 'worker', 'relay', 'consumers']) {
      const environment = compose.services[name].environment ?? {};
      for (const variable of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'KAFKA_BROKERS']) expect(environment[variable], `${name} ${variable}`).toBeTruthy();
      for (const variable of Object.keys(environment)) expect(known.has(variable), `${name} sets unknown ${variable}`).toBe(true);
    }
  });

  it('starts each app process with the same Node flags as npm start, npm run <name> and the Dockerfile', () => {
    const command = (name: string) => ['node', ...NODE_FLAGS, '--import', 'tsx', `processes/${name}.ts`];
    const scripts = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')).scripts;
    for (const name of PROCESS_NAMES) {
      expect(compose.services[name].command, `docker-compose ${name}`).toEqual(command(name));
      expect(scripts[name], `npm run ${name}`).toBe(command(name).join(' '));
    }
    expect(readFileSync(resolve(import.meta.dirname, '../Dockerfile'), 'utf8')).toContain(`CMD ${JSON.stringify(command('api')).replaceAll(',', ', ')}`);
  });
});

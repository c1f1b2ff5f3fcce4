/**
 * Records fresh signup histories for the replay test from a running stack:
 *   npm run histories:record            (against `npm start`'s dev stack)
 * One saga that completes and one that compensates (duplicate nickname).
 */
import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TEMPORAL_BINARY } from './infra/infra.ts';

const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const API = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const OUT = resolve(import.meta.dirname, '../test/histories');

async function post(path: string, body: unknown): Promise<string> {
  const response = await fetch(API + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 202) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

function signup(nickname: string) {
  const tag = randomUUID().slice(0, 8);
  return {
    email: `history-${tag}@example.com`, password: `password-${tag}`, name: 'History Recorder', phone: '+1 555 0100',
    birthDate: '1980-01-01', gender: 'OTHER', role: 'PARTNER', nickname, favoriteStyles: ['poetry'],
  };
}

async function main() {
  const client = new Client({ connection: await Connection.connect({ address: TEMPORAL_ADDRESS }) });
  const nickname = `history_${randomUUID().slice(0, 8)}`;
  const runs = { 'signup-completed': await post('/signups', signup(nickname)) } as Record<string, string>;
  await client.workflow.getHandle(`signup-${runs['signup-completed']}`).result();
  runs['signup-compensated'] = await post('/signups', signup(nickname));
  for (const [name, id] of Object.entries(runs)) {
    const handle = client.workflow.getHandle(`signup-${id}`);
    await handle.result();
    // The CLI's JSON is the format the Temporal UI downloads and `historyFromJSON` reads.
    const json = execFileSync(TEMPORAL_BINARY, ['workflow', 'show', '--address', TEMPORAL_ADDRESS, '--workflow-id', handle.workflowId, '--output', 'json']);
    writeFileSync(resolve(OUT, `${name}.json`), json);
    console.log(`recorded ${name}.json`);
  }
  await client.connection.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Runs the Schemathesis CLI (`st run`, installed by scripts/infra/install-schemathesis.sh)
 * against the test stack's API as one caller, and reads its verdict from the
 * JUnit report and its summary.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE, REPO } from '../../scripts/infra/profiles.ts';
import type { FuzzSeeds } from './seeds.ts';

export type Caller = 'nobody' | 'member' | 'admin';

const INSTALLER = join(REPO, 'scripts/infra/install-schemathesis.sh');
export const SCHEMATHESIS_VERSION = /^VERSION=(\S+)/m.exec(readFileSync(INSTALLER, 'utf8'))![1]!;
const ST = join(CACHE, `schemathesis-${SCHEMATHESIS_VERSION}`, 'bin', 'st');

/** Installs the pinned version when it is missing; returns the `st` path. */
export async function installSchemathesis(): Promise<string> {
  await promisify(execFile)('bash', [INSTALLER], { maxBuffer: 16 * 1024 * 1024 });
  return ST;
}

/** A TOML value: strings, numbers, arrays and inline tables are all this config needs. */
function toml(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(toml).join(', ')}]`;
  return `{ ${Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${JSON.stringify(key)} = ${toml(item)}`)
    .join(', ')} }`;
}

interface OperationOverride {
  path: string;
  method?: string;
  parameters?: Record<string, string | number>;
  headers?: Record<string, string>;
}

/**
 * What reaches past 404s for each caller: the seeded ids for the paths that
 * take them (only for paths the document has), real book numbers in bodies
 * half of the time, and other tokens for the operations that would end the
 * caller's own session or account.
 */
export function operationOverrides(caller: Caller, seeds: FuzzSeeds, documentedPaths: ReadonlySet<string>): OperationOverride[] {
  const byPath: OperationOverride[] = [
    { path: '/signups/{id}', parameters: { 'path.id': seeds.member.signupId } },
    { path: '/signups/{id}/verify', parameters: { 'path.id': seeds.member.signupId } },
    { path: '/rentals/{id}', parameters: { 'path.id': seeds.rentalId } },
    { path: '/returns/{id}', parameters: { 'path.id': seeds.returnId } },
    { path: '/clear-overdue/{id}', parameters: { 'path.id': seeds.clearanceId } },
    { path: '/erasures/{id}', parameters: { 'path.id': seeds.erasureId } },
    { path: '/partners/{memberId}/summary', parameters: { 'path.memberId': seeds.member.memberId } },
  ];
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const ownSession: OperationOverride[] =
    caller === 'member'
      ? [
          { path: '/members/me', method: 'DELETE', headers: bearer(seeds.bystander.token) },
          { path: '/auth/logout', method: 'POST', headers: bearer(seeds.member.spareToken) },
        ]
      : caller === 'admin'
        ? [{ path: '/auth/logout', method: 'POST', headers: bearer(seeds.admin.spareToken) }]
        : [];
  return [...byPath, ...ownSession].filter((override) => documentedPaths.has(override.path));
}

export function schemathesisConfig(options: {
  caller: Caller;
  seeds: FuzzSeeds;
  apiUrl: string;
  documentedPaths: ReadonlySet<string>;
  maxExamples: number;
  seed: number;
  junitPath: string;
}): string {
  const { caller, seeds } = options;
  const token = caller === 'member' ? seeds.member.token : caller === 'admin' ? seeds.admin.token : undefined;
  const lines = [
    `base-url = ${toml(options.apiUrl)}`,
    `hooks = ${toml(join(REPO, 'test/fuzz/source_address.py'))}`,
    `seed = ${options.seed}`,
    'workers = 1',
    'color = false',
    '',
    '[generation]',
    `max-examples = ${options.maxExamples}`,
    'database = "none"',
    '',
    '[output.truncation]',
    'enabled = true',
    '',
    // A refused body may be refused for its size (413) before its shape is read.
    // A valid request may still be refused by the state it meets: a conflict (409) or an
    // Idempotency-Key the fuzzer already used with another body (422 IDEMPOTENCY_KEY_REUSED).
    '[checks.positive_data_acceptance]',
    `expected-statuses = ${toml(['2xx', '3xx', '401', '403', '404', '409', '422', '429', '5xx'])}`,
    '[checks.negative_data_rejection]',
    `expected-statuses = ${toml(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429'])}`,
    '',
    '[reports.junit]',
    `path = ${toml(options.junitPath)}`,
    '',
    '[parameters]',
    // Every other member id (erasure, revocation, admin returns) names the bystander, not a caller of these runs.
    `"path.memberId" = ${toml(seeds.bystander.memberId)}`,
    `"path.bookNo" = ${seeds.heldBookNo}`,
    `"body.bookNo" = ${toml({ dictionary: 'books', probability: 0.5 })}`,
    '',
    '[dictionaries.books]',
    `values = ${toml([seeds.heldBookNo, seeds.availableBookNo])}`,
  ];
  if (token) lines.push('', '[headers]', `Authorization = ${toml(`Bearer ${token}`)}`);
  for (const override of operationOverrides(caller, seeds, options.documentedPaths)) {
    lines.push('', '[[operations]]', `include-path = ${toml(override.path)}`);
    if (override.method) lines.push(`include-method = ${toml(override.method)}`);
    if (override.parameters) lines.push(`parameters = ${toml(override.parameters)}`);
    if (override.headers) lines.push(`headers = ${toml(override.headers)}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface FuzzFailure {
  operation: string;
  /** Schemathesis failure codes (`st explain <code>`): ST1xx server errors, ST2xx conformance. */
  codes: string[];
  text: string;
}

export interface FuzzResult {
  caller: Caller;
  exitCode: number | null;
  seconds: number;
  operations: number;
  cases: number;
  failures: FuzzFailure[];
  errors: FuzzFailure[];
  output: string;
}

const unescapeXml = (text: string) =>
  text.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (_, name: string, dec?: string, hex?: string) =>
    dec
      ? String.fromCodePoint(Number(dec))
      : hex
        ? String.fromCodePoint(parseInt(hex, 16))
        : ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name]!,
  );

/** Operations, failures and errors from Schemathesis' JUnit report (one testcase per operation, one for the stateful phase). */
export function readJunit(xml: string): { operations: number; failures: FuzzFailure[]; errors: FuzzFailure[] } {
  const failures: FuzzFailure[] = [];
  const errors: FuzzFailure[] = [];
  let operations = 0;
  for (const testcase of xml.matchAll(/<testcase name="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const operation = unescapeXml(testcase[1]!);
    if (/^[A-Z]+ \//.test(operation)) operations++;
    for (const entry of (testcase[2] ?? '').matchAll(/<(failure|error)\b([^>]*)>([\s\S]*?)<\/\1>/g)) {
      const text = unescapeXml(entry[3]!);
      const codes = [...new Set(text.match(/\bST\d{3}\b/g) ?? [])];
      (entry[1] === 'failure' ? failures : errors).push({ operation, codes, text });
    }
  }
  return { operations, failures, errors };
}

/** Runs `st run` with a written config; never throws on a failing verdict (the test asserts on it). */
export async function runSchemathesis(options: {
  st: string;
  caller: Caller;
  seeds: FuzzSeeds;
  apiUrl: string;
  documentedPaths: ReadonlySet<string>;
  maxExamples: number;
  seed: number;
  workDir: string;
  sourceAddress: string;
  /** The run is killed after this long (its report then says so). */
  timeoutMs: number;
}): Promise<FuzzResult> {
  const dir = join(options.workDir, options.caller);
  await mkdir(dir, { recursive: true });
  const junitPath = join(dir, 'junit.xml');
  const configPath = join(dir, 'schemathesis.toml');
  await writeFile(configPath, schemathesisConfig({ ...options, junitPath }));
  const started = performance.now();
  // The output goes to a file as it comes, so a slow run can be watched (tail -f).
  const log = createWriteStream(join(dir, 'output.txt'));
  const { exitCode, output } = await new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
    const child = spawn(
      options.st,
      ['--config-file', configPath, 'run', `${options.apiUrl}/openapi.json`, '--checks', 'all', '--no-color'],
      {
        cwd: dir,
        env: { ...process.env, FUZZ_SOURCE_ADDRESS: options.sourceAddress, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: options.timeoutMs,
      },
    );
    let text = '';
    const collect = (chunk: Buffer) => {
      text += chunk;
      log.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ exitCode: code, output: signal ? `${text}\n(killed by ${signal} after ${options.timeoutMs} ms)` : text }),
    );
  });
  const seconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => log.end(resolve));
  const junit = await readFile(junitPath, 'utf8').catch(() => '');
  const cases = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
  return { caller: options.caller, exitCode, seconds, cases, ...readJunit(junit), output };
}

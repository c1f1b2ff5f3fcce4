/**
 * Where operator commands (check, dlq, read-models:rebuild, saga, events, kafka,
 * bench) find the system, by themselves: `--profile <name>` when given
 * (`--profile test`, `--profile test4`, `--profile cluster`); else the `dev` profile (`npm start`)
 * when its servers run from this clone or when none does; else the one profile
 * whose servers run (e.g. `npm run infra:up -- --profile test`); with several
 * running, it asks for --profile. A variable set by hand (DATABASE_URL,
 * KAFKA_BROKERS, TEMPORAL_ADDRESS, API_URL) still wins, so the same commands
 * reach servers run elsewhere.
 */
import { defaultApiPort, infraEnv, isProfile, type InfraEnv, type Profile } from './infra/infra.ts';
import { kafka } from './infra/kafka.ts';
import { runningPid } from './infra/server.ts';

const PROFILES: Profile[] = ['dev', 'test', ...Array.from({ length: 9 }, (_, i) => `test${i + 1}` as Profile), 'cluster'];

export interface OperatorTarget {
  profile: Profile;
  env: InfraEnv & { API_URL: string };
  /** The command line without `--profile <name>`. */
  args: string[];
}

/** The profiles whose Kafka broker runs from this clone (by its pid file). */
export function runningProfiles(): Profile[] {
  return PROFILES.filter((profile) => runningPid(profile, kafka) !== undefined);
}

function takeProfileFlag(argv: string[]): { flag?: string; args: string[] } {
  const args = [...argv];
  const at = args.findIndex((arg) => arg === '--profile' || arg.startsWith('--profile='));
  if (at < 0) return { args };
  const arg = args[at]!;
  const flag = arg.includes('=') ? arg.slice('--profile='.length) : (args[at + 1] ?? '');
  args.splice(at, arg.includes('=') ? 1 : 2);
  return { flag, args };
}

/** The profile to use when no --profile is given: dev unless exactly one other profile runs and dev does not. */
function pickProfile(running: Profile[]): Profile {
  if (running.includes('dev') || running.length === 0) return 'dev';
  if (running.length === 1) return running[0]!;
  throw new Error(`several profiles run here (${running.join(', ')}); pick one with --profile <name>`);
}

/** Reads `--profile` (or finds the running profile) and answers its addresses. */
export function operatorTarget(
  argv: string[] = process.argv.slice(2),
  environment: NodeJS.ProcessEnv = process.env,
  running: () => Profile[] = runningProfiles,
): OperatorTarget {
  const { flag, args } = takeProfileFlag(argv);
  if (flag !== undefined && !isProfile(flag)) throw new Error(`unknown profile "${flag}"; use dev, test, test1..test9 or cluster`);
  // Addresses set by hand name the system: no need to look for a running profile.
  const byHand = environment.KAFKA_BROKERS !== undefined || environment.TEMPORAL_ADDRESS !== undefined;
  const profile: Profile = flag !== undefined ? (flag as Profile) : byHand ? 'dev' : pickProfile(running());
  const env = withEnvironment(environment, () => infraEnv(profile));
  return { profile, env: { ...env, API_URL: environment.API_URL ?? `http://127.0.0.1:${defaultApiPort(profile)}` }, args };
}

/**
 * Same, and puts the profile's addresses into process.env where unset, so
 * loadConfig() (services/platform/config.ts) reads them like a process would.
 */
export function useOperatorTarget(argv: string[] = process.argv.slice(2)): OperatorTarget {
  const target = operatorTarget(argv);
  for (const [name, value] of Object.entries(target.env))
    if (value !== undefined && process.env[name] === undefined) process.env[name] = value;
  return target;
}

/** infraEnv reads process.env; a test may hand in another environment. */
function withEnvironment<T>(environment: NodeJS.ProcessEnv, read: () => T): T {
  if (environment === process.env) return read();
  const saved = { ...process.env };
  try {
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_UI_URL', 'KAFKA_BROKERS']) {
      if (environment[name] === undefined) delete process.env[name];
      else process.env[name] = environment[name];
    }
    return read();
  } finally {
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_UI_URL', 'KAFKA_BROKERS']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

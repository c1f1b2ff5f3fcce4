/**
 * Where operator commands (check, dlq, read-models:rebuild, saga, events, bench)
 * find the system: the servers of the `dev` profile, the one `npm start` runs,
 * unless `--profile <name>` picks another (`--profile test`, `--profile test4`, `--profile cluster`).
 * A variable set by hand (DATABASE_URL, KAFKA_BROKERS, TEMPORAL_ADDRESS,
 * API_URL) still wins, so the same commands reach servers run elsewhere.
 */
import { defaultApiPort, infraEnv, isProfile, type InfraEnv, type Profile } from './infra/infra.ts';

export interface OperatorTarget {
  profile: Profile;
  env: InfraEnv & { API_URL: string };
  /** The command line without `--profile <name>`. */
  args: string[];
}

/** Reads `--profile` (default dev) from the arguments and answers the profile's addresses. */
export function operatorTarget(argv: string[] = process.argv.slice(2), environment: NodeJS.ProcessEnv = process.env): OperatorTarget {
  const args = [...argv];
  let profile: string = 'dev';
  const at = args.findIndex((arg) => arg === '--profile' || arg.startsWith('--profile='));
  if (at >= 0) {
    const arg = args[at]!;
    profile = arg.includes('=') ? arg.slice('--profile='.length) : (args[at + 1] ?? '');
    args.splice(at, arg.includes('=') ? 1 : 2);
  }
  if (!isProfile(profile)) throw new Error(`unknown profile "${profile}"; use dev, test, test1..test9 or cluster`);
  const env = withEnvironment(environment, () => infraEnv(profile as Profile));
  return { profile, env: { ...env, API_URL: environment.API_URL ?? `http://127.0.0.1:${defaultApiPort(profile)}` }, args };
}

/**
 * Same, and puts the profile's addresses into process.env where unset, so
 * loadConfig() (services/platform/config.ts) reads them like a process would.
 */
export function useOperatorTarget(argv: string[] = process.argv.slice(2)): OperatorTarget {
  const target = operatorTarget(argv);
  for (const [name, value] of Object.entries(target.env)) if (value !== undefined && process.env[name] === undefined) process.env[name] = value;
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

/**
 * Which running system an operator command talks to, found by itself:
 * `--profile <name>` when given; else the addresses in the environment
 * (KAFKA_BROKERS, TEMPORAL_ADDRESS, DATABASE_URL) when set; else the `dev`
 * profile when its servers run from this clone (`npm start`); else the one
 * profile that runs (e.g. `npm run infra:up -- --profile test`); with several
 * running, it asks for --profile.
 */
import { infraEnv, isProfile, type Profile } from './infra/infra.ts';
import { kafka } from './infra/kafka.ts';
import { runningPid } from './infra/server.ts';

const PROFILES: Profile[] = ['dev', 'test', ...Array.from({ length: 9 }, (_, i) => `test${i + 1}` as Profile), 'cluster'];

export interface OperatorProfile {
  profile: Profile | 'environment';
  /** The command line without `--profile <name>`. */
  args: string[];
}

function takeProfileFlag(argv: string[]): { flag?: string; args: string[] } {
  const args = [...argv];
  const at = args.findIndex((arg) => arg === '--profile' || arg.startsWith('--profile='));
  if (at < 0) return { args };
  const arg = args[at]!;
  const flag = arg.includes('=') ? arg.slice('--profile='.length) : args[at + 1];
  args.splice(at, arg.includes('=') ? 1 : 2);
  return { flag: flag ?? '', args };
}

/** The profiles whose Kafka broker runs from this clone (by its pid file). */
export function runningProfiles(): Profile[] {
  return PROFILES.filter((profile) => runningPid(profile, kafka) !== undefined);
}

/** Finds the profile and puts its addresses into process.env where unset, so loadConfig() reads them. */
export function useOperatorProfile(argv: string[] = process.argv.slice(2)): OperatorProfile {
  const { flag, args } = takeProfileFlag(argv);
  let profile: Profile | 'environment';
  if (flag !== undefined) {
    if (!isProfile(flag)) throw new Error(`unknown profile "${flag}"; use dev, test, test1..test9 or cluster`);
    profile = flag;
  } else if (process.env.KAFKA_BROKERS || process.env.TEMPORAL_ADDRESS) {
    profile = 'environment';
  } else {
    const running = runningProfiles();
    if (running.includes('dev') || running.length === 0) profile = 'dev';
    else if (running.length === 1) profile = running[0]!;
    else throw new Error(`several profiles run here (${running.join(', ')}); pick one with --profile <name>`);
  }
  if (profile !== 'environment') {
    for (const [name, value] of Object.entries(infraEnv(profile))) if (value !== undefined && process.env[name] === undefined) process.env[name] = value;
  }
  return { profile, args };
}

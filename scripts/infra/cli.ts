// npx tsx scripts/infra/cli.ts up|down|status [--profile dev|test|test1..test9|cluster]
// `up` prints the env lines (KEY=value) on stdout and progress on stderr, so `... up > .env` works.
import { infraStatus, isProfile, startInfrastructure, stopInfrastructure, type Profile } from './infra.ts';

function parseArgs(argv: string[]): { command: string; profile: Profile } {
  const command = argv[0] ?? '';
  const i = argv.indexOf('--profile');
  const profile = (i >= 0 ? argv[i + 1] : 'dev') ?? '';
  if (!['up', 'down', 'status'].includes(command) || !isProfile(profile)) {
    console.error('usage: cli.ts up|down|status [--profile dev|test|test1..test9|cluster]');
    process.exit(2);
  }
  return { command, profile };
}

async function main(): Promise<void> {
  const { command, profile } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (command === 'up') {
    // detached: the servers keep running after this command exits; `down` stops them.
    const { env } = await startInfrastructure({ profile, detached: true, log: (line) => console.error(line) });
    console.error(`infrastructure (${profile}) ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    for (const [key, value] of Object.entries(env)) if (value !== undefined) console.log(`${key}=${value}`);
    if (env.TEMPORAL_UI_URL) console.error(`Temporal UI: ${env.TEMPORAL_UI_URL}`);
  } else if (command === 'down') {
    await stopInfrastructure(profile);
    console.error(`infrastructure (${profile}) stopped`);
  } else {
    for (const [server, s] of Object.entries(await infraStatus(profile))) {
      const state = s.pid ? `running (pid ${s.pid})` : s.listening ? 'port taken by another process' : 'stopped';
      console.log(`${server.padEnd(9)} 127.0.0.1:${s.port}  ${state}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

/**
 * Apache Kafka's own command-line tools against the running system (found by
 * itself, or --profile), from jars fetched from Maven Central on first use:
 *   npm run kafka -- kafka-topics --describe --topic rental.item-rented.v1
 *   npm run kafka -- kafka-consumer-groups --describe --all-groups
 *   npm run kafka -- kafka-console-consumer --topic book.book-changed.v1 --from-beginning --property print.key=true
 * `--bootstrap-server` is added when not given. The same as a java command:
 *   java -cp "$HOME/.cache/book-rental-sagas/kafka-tools-3.9.1/libs/*:$HOME/.cache/book-rental-sagas/kafka-3.9.1/libs/*" \
 *     org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
 */
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CACHE, REPO } from './infra/profiles.ts';
import { useOperatorTarget } from './operator-target.ts';

/** The tool names of Kafka's bin/ folder and the classes they run (Kafka 3.9). */
export const KAFKA_TOOLS: Record<string, string> = {
  'kafka-topics': 'org.apache.kafka.tools.TopicCommand',
  'kafka-consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'kafka-console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'kafka-console-producer': 'kafka.tools.ConsoleProducer',
  'kafka-configs': 'kafka.admin.ConfigCommand',
  'kafka-get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  'kafka-log-dirs': 'org.apache.kafka.tools.LogDirsCommand',
  'kafka-metadata-quorum': 'org.apache.kafka.tools.MetadataQuorumCommand',
  'kafka-delete-records': 'org.apache.kafka.tools.DeleteRecordsCommand',
};

function main() {
  const { args } = useOperatorTarget();
  const [tool, ...rest] = args;
  const main = tool ? KAFKA_TOOLS[tool] : undefined;
  if (!main) {
    console.error(`usage: npm run kafka -- <tool> [options]   tools: ${Object.keys(KAFKA_TOOLS).join(', ')}`);
    process.exit(2);
  }
  execFileSync('bash', [join(REPO, 'scripts/infra/install-kafka-tools.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  execFileSync('bash', [join(REPO, 'scripts/infra/install-kafka.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const brokers = process.env.KAFKA_BROKERS!;
  const bootstrap = rest.some((arg) => arg.startsWith('--bootstrap-server')) ? [] : ['--bootstrap-server', brokers];
  const classpath = [join(CACHE, 'kafka-tools-3.9.1/libs/*'), join(CACHE, 'kafka-3.9.1/libs/*')].join(':');
  const log4j = `-Dlog4j.configuration=file:${join(REPO, 'scripts/infra/kafka-tools-log4j.properties')}`;
  const child = spawn('java', ['-Xmx256m', log4j, '-cp', classpath, main, ...bootstrap, ...rest], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();

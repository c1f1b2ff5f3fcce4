/**
 * `npm run topics:check` / `npm run topics:fix`: compares the event and
 * dead-letter topics with the KAFKA_TOPIC_* configuration, and brings them up
 * to it (settings, partitions, replicas by reassignment). Start-up names this
 * command when a topic falls short.
 */
import { connectAdmin, createKafka, kafkaConnectionOf } from '../services/platform/kafka.ts';
import {
  ensureTopics,
  fixTopics,
  readTopicStates,
  topicPolicyOf,
  topicShortfalls,
  catalogTopics,
} from '../services/platform/kafka-topics.ts';
import { loadConfig } from '../services/platform/config.ts';
import { createLogger } from '../services/platform/logger.ts';
import { isMain } from '../processes/runtime.ts';

async function main(command: string | undefined): Promise<number> {
  if (command !== 'check' && command !== 'fix') {
    console.error('usage: kafka-topics.ts check|fix   (uses KAFKA_BROKERS and the KAFKA_TOPIC_* settings)');
    return 2;
  }
  // Only the Kafka settings matter here; the database is not touched.
  const config = loadConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://unused@localhost/unused' });
  const logger = createLogger({ name: 'topics', level: 'warn', pretty: false });
  const connection = kafkaConnectionOf(config);
  const policy = topicPolicyOf(config);
  const admin = await connectAdmin(createKafka({ ...connection, clientId: 'book-rental-topics', logger }), connection.brokers);
  try {
    if (command === 'fix') {
      const changed = await fixTopics(admin, policy);
      console.log(changed.length ? `changed: ${changed.join(', ')}` : 'every existing topic already meets the configuration');
      await ensureTopics(admin, policy); // creates the missing ones, then checks all
    }
    const problems = topicShortfalls(
      await readTopicStates(
        admin,
        catalogTopics().map((t) => t.name),
      ),
      policy,
    );
    for (const line of problems) console.log(line);
    if (problems.length === 0) console.log(`all ${catalogTopics().length} topics meet ${JSON.stringify(policy)}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await admin.disconnect();
  }
}

if (isMain(import.meta.url)) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error((error as Error).message);
      process.exit(1);
    },
  );
}

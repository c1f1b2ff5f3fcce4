/**
 * Settings for how the processes reach Kafka and Temporal beyond their
 * addresses: the topics' replication and retention, TLS and SASL for a managed
 * Kafka, TLS or an API key for a managed Temporal (Temporal Cloud). Part of
 * ZConfig (config.ts); the checks that span several variables are in
 * `connectionSettingProblems`.
 */
import { z } from 'zod';

const flag = z.stringbool().default(false);
const retention = z.coerce.number().int().min(-1);

export const KAFKA_SETTINGS = {
  /** Replicas of every event and dead-letter topic; start-up refuses topics with fewer. */
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).default(1),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).default(3),
  /** Replicas that must have a write before acks=all answers; RF 3 with 2 survives one broker loss. */
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).default(1),
  /** How long events stay on their topics; -1 = forever (they are the source of every rebuild). */
  KAFKA_TOPIC_RETENTION_MS: retention.default(-1),
  /** How long dead letters stay on `<topic>.dlq`; -1 = forever (an operator decides about each). */
  KAFKA_DLQ_RETENTION_MS: retention.default(-1),
  /** TLS to the brokers (a managed Kafka); the CA file is for a private CA, the cert and key for mutual TLS. */
  KAFKA_TLS: flag,
  KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
  KAFKA_TLS_CERT_FILE: z.string().min(1).optional(),
  KAFKA_TLS_KEY_FILE: z.string().min(1).optional(),
  /** SASL authentication; needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

export const TEMPORAL_SETTINGS = {
  /** TLS to the Temporal frontend; set by itself (server TLS) or with a client cert and key (mTLS, Temporal Cloud). */
  TEMPORAL_TLS: flag,
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  /** The name the server's certificate carries, when it differs from the address's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** A Temporal Cloud API key (sent as a bearer token; implies TLS). */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
};

const ZSettings = z.object({ ...KAFKA_SETTINGS, ...TEMPORAL_SETTINGS });
type Settings = z.infer<typeof ZSettings>;

/** What no single variable's schema can see: settings that only make sense together. */
export function connectionSettingProblems(s: Settings): string[] {
  const problems: string[] = [];
  if (s.KAFKA_TOPIC_MIN_INSYNC_REPLICAS > s.KAFKA_TOPIC_REPLICATION_FACTOR) {
    problems.push(
      `KAFKA_TOPIC_MIN_INSYNC_REPLICAS (${s.KAFKA_TOPIC_MIN_INSYNC_REPLICAS}) cannot exceed KAFKA_TOPIC_REPLICATION_FACTOR (${s.KAFKA_TOPIC_REPLICATION_FACTOR}): no write could ever succeed`,
    );
  }
  if (s.KAFKA_SASL_MECHANISM && !(s.KAFKA_SASL_USERNAME && s.KAFKA_SASL_PASSWORD)) {
    problems.push('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  }
  if (!s.KAFKA_SASL_MECHANISM && (s.KAFKA_SASL_USERNAME || s.KAFKA_SASL_PASSWORD)) {
    problems.push('KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)');
  }
  for (const [prefix, tls] of [
    ['KAFKA', s.KAFKA_TLS],
    ['TEMPORAL', s.TEMPORAL_TLS || Boolean(s.TEMPORAL_API_KEY)],
  ] as const) {
    const cert = s[`${prefix}_TLS_CERT_FILE`];
    const key = s[`${prefix}_TLS_KEY_FILE`];
    if (Boolean(cert) !== Boolean(key)) problems.push(`${prefix}_TLS_CERT_FILE and ${prefix}_TLS_KEY_FILE go together (mutual TLS)`);
    if (!tls && (cert || key || s[`${prefix}_TLS_CA_FILE`])) problems.push(`${prefix}_TLS_* files are set but ${prefix}_TLS is not true`);
  }
  if (s.TEMPORAL_API_KEY && s.TEMPORAL_TLS_CERT_FILE)
    problems.push('TEMPORAL_API_KEY and a client certificate (TEMPORAL_TLS_CERT_FILE) are two ways to sign in: choose one');
  return problems;
}

import { serve } from '@hono/node-server';
import type { Connection } from '@temporalio/client';
import { authRoutes } from '../services/auth/http/routes.ts';
import { ensureAdmin } from '../services/auth/login.ts';
import { sessionCheck } from '../services/auth/sessions.ts';
import { sessionRoutes } from '../services/auth/http/session-routes.ts';
import { bestBookRoutes } from '../services/bestbook/http/routes.ts';
import { bookRoutes } from '../services/book/http/routes.ts';
import { erasureRoutes } from '../services/member/http/erasure-routes.ts';
import { memberHistoryRoutes } from '../services/member/http/history-routes.ts';
import { memberRoutes } from '../services/member/http/routes.ts';
import { rentalRoutes } from '../services/rental/http/routes.ts';
import { partnerRoutes } from '../services/partner/http/routes.ts';
import { notificationRoutes } from '../services/notifications/http/routes.ts';
import { createDb } from '../services/platform/db.ts';
import { deterministicUuid } from '../services/platform/ids.ts';
import { createApp } from '../services/platform/http/app.ts';
import { healthRoutes } from '../services/platform/http/health.ts';
import { createKafka } from '../services/platform/kafka.ts';
import { connectTemporal } from '../services/platform/temporal.ts';
import { mySagasRoutes } from '../services/platform/http/my-sagas-routes.ts';
import { codecRoutes } from '../services/platform/http/codec-routes.ts';
import { codecSessionRoutes } from '../services/platform/http/codec-session.ts';
import { LoginThrottle } from '../services/auth/login-throttle.ts';
import { SIGNUP_LIMITS, SignupThrottle } from '../services/auth/signup-throttle.ts';
import { rateAttemptStore, sweepRateAttempts } from '../services/auth/db/rate-attempts.ts';
import { passwordHashGate } from '../services/auth/domain/password.ts';
import { EncryptionCodec } from '../services/platform/payload-codec.ts';
import { opsRoutes } from '../services/platform/http/ops/ops-routes.tsx';
import { redriveDeadLetters } from '../scripts/dead-letters.ts';
import { isMain, onShutdown, runMain, startRuntime } from './runtime.ts';

/**
 * How long one call of the API to Temporal may take (a call that sets its own deadline keeps it).
 * 5 s made healthy StartWorkflow calls fail on a two-core machine loaded far past its cores (load 30).
 */
export const API_TEMPORAL_CALL_TIMEOUT_MS = 10_000;

/** Builds the HTTP application and its clients; used by the api process and by tests. */
export async function buildApi({ config, logger }: ReturnType<typeof startRuntime>) {
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  // Each call to Temporal gets 10 s unless it sets its own deadline: a partitioned Temporal answers 503, not a request held for ~45 s.
  const temporal = await connectTemporal({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, codecKeys: config.TEMPORAL_CODEC_KEYS, callTimeoutMs: API_TEMPORAL_CALL_TIMEOUT_MS });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-api`, logger });
  const kafkaAdmin = kafka.admin();
  // Every bearer token is checked against its session in auth's schema on every request (no cache: revocation is immediate in every process).
  const tokens = { secret: config.JWT_SECRET, ttlSeconds: config.JWT_TTL_SECONDS, refreshTtlSeconds: config.REFRESH_TTL_SECONDS, sessions: sessionCheck(db) };
  // Login and signup counts in auth's schema, shared by every API process; the hash cap is per process.
  const rates = rateAttemptStore(db);
  // Counts of keys nobody tries again: gone once their window ends (any API process may sweep; deleting twice is harmless).
  const sweeper = setInterval(() => {
    sweepRateAttempts(db).catch((error: unknown) => logger.warn({ err: error }, 'could not sweep expired rate-limit counts'));
  }, 10 * 60_000);
  sweeper.unref();
  const login = { throttle: new LoginThrottle(rates), trustedProxyHops: config.TRUST_PROXY_HOPS };
  passwordHashGate.limits = { concurrency: config.PASSWORD_HASH_CONCURRENCY, queue: config.PASSWORD_HASH_QUEUE };
  const rules = { loanPeriodMs: config.LOAN_PERIOD_SECONDS * 1000, feeDayMs: config.FEE_DAY_SECONDS * 1000, reminderBeforeDueMs: config.REMINDER_BEFORE_DUE_SECONDS * 1000 };
  const admin = await ensureAdmin(db, config.ADMIN_EMAIL, config.ADMIN_PASSWORD, deterministicUuid('admin', config.ADMIN_EMAIL));
  if (admin === 'created') logger.info('admin account created from ADMIN_EMAIL and ADMIN_PASSWORD');
  const app = createApp({
    logger,
    routers: [
      authRoutes({
        db,
        temporal,
        tokens,
        ...login,
        signups: new SignupThrottle(rates, { ...SIGNUP_LIMITS, perAddress: config.SIGNUP_LIMIT_PER_ADDRESS }),
        verificationSeconds: config.SIGNUP_VERIFICATION_SECONDS,
      }),
      sessionRoutes({ db, tokens }),
      memberRoutes({ db, tokens }),
      memberHistoryRoutes({ db, tokens }),
      notificationRoutes({ db, tokens }),
      // /members/me/sagas before erasure's /members/{memberId} routes.
      mySagasRoutes({ temporal, tokens }),
      ...erasureRoutes({ temporal, tokens }),
      // /books/best before /books/{bookNo}: the first match wins.
      bestBookRoutes({ db }),
      bookRoutes({ db, tokens }),
      ...rentalRoutes({ db, temporal, tokens, rules }),
      partnerRoutes({ db, tokens }),
      codecRoutes({
        codec: new EncryptionCodec(config.TEMPORAL_CODEC_KEYS),
        namespace: config.TEMPORAL_NAMESPACE,
        tokens,
        codecToken: config.TEMPORAL_CODEC_AUTH_TOKEN,
        uiUrl: config.TEMPORAL_UI_URL,
      }),
      codecSessionRoutes({ db, tokens, ...login, uiUrl: config.TEMPORAL_UI_URL }),
      healthRoutes({
        database: () => db.$queryRaw`SELECT 1`,
        // connectTemporal's connection is a gRPC Connection (the Client types it as the narrower ConnectionLike).
        temporal: () => (temporal.connection as Connection).healthService.check({}),
        kafka: async () => {
          await kafkaAdmin.connect();
          await kafkaAdmin.describeCluster();
        },
      }),
    ],
  });
  // The operations console (HTML for people, not in the OpenAPI document).
  app.route(
    '/',
    opsRoutes({
      db,
      temporal,
      kafka,
      namespace: config.TEMPORAL_NAMESPACE,
      ...(config.TEMPORAL_UI_URL ? { uiUrl: config.TEMPORAL_UI_URL } : {}),
      tokens,
      ...login,
      redrive: (topic) => redriveDeadLetters(kafka, topic),
    }),
  );
  const close = async () => {
    clearInterval(sweeper);
    await kafkaAdmin.disconnect().catch(() => {});
    await temporal.connection.close();
    await db.$disconnect();
  };
  return { app, close };
}

async function main() {
  const runtime = startRuntime('api');
  const { app, close } = await buildApi(runtime);
  const server = serve({ fetch: app.fetch, port: runtime.config.PORT, hostname: '0.0.0.0' });
  runtime.logger.info({ port: runtime.config.PORT }, `api listening on http://127.0.0.1:${runtime.config.PORT} (docs: /docs)`);
  onShutdown(runtime.logger, async () => {
    await new Promise((resolve) => server.close(resolve));
    await close();
  });
}

if (isMain(import.meta.url)) runMain(main);

import { serve } from '@hono/node-server';
import type { Connection } from '@temporalio/client';
import { authRoutes } from '../services/auth/http/routes.ts';
import { bearerAuthenticator, passwordSignIn } from '../services/auth/authenticator.ts';
import { ensureAdmin, findAccount } from '../services/auth/login.ts';
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
import { createServiceDbs, distinctDbs, SERVICE_SCHEMAS } from '../services/platform/service-databases.ts';
import { deterministicUuid } from '../services/platform/ids.ts';
import { createApp } from '../services/platform/http/app.ts';
import { healthRoutes } from '../services/platform/http/health.ts';
import { createKafka, kafkaConnectionOf } from '../services/platform/kafka.ts';
import { connectTemporal } from '../services/platform/temporal.ts';
import { mySagasRoutes } from '../services/platform/http/my-sagas-routes.ts';
import { checkNamespace, temporalConnectionOf } from '../services/platform/temporal-connection.ts';
import { checkSchema } from '../services/platform/schema-check.ts';
import { codecRoutes } from '../services/platform/http/codec-routes.ts';
import { codecSessionRoutes } from '../services/platform/http/codec-session.ts';
import { LoginThrottle } from '../services/auth/login-throttle.ts';
import { SIGNUP_LIMITS, SignupThrottle } from '../services/auth/signup-throttle.ts';
import { rateAttemptStore, sweepRateAttempts } from '../services/auth/db/rate-attempts.ts';
import { passwordHashGate } from '../services/auth/domain/password.ts';
import { EncryptionCodec } from '../services/platform/payload-codec.ts';
import { opsRoutes } from '../services/ops/ops-routes.tsx';
import { discardDeadLetters, redriveDeadLetters } from '../scripts/dead-letters.ts';
import { isMain, onShutdown, runMain, startRuntime } from './runtime.ts';

/**
 * How long one call of the API to Temporal may take (a call that sets its own deadline keeps it).
 * 5 s made healthy StartWorkflow calls fail on a two-core machine loaded far past its cores (load 30).
 */
export const API_TEMPORAL_CALL_TIMEOUT_MS = 10_000;

/** Builds the HTTP application and its clients; used by the api process and by tests. */
export async function buildApi({ config, logger }: ReturnType<typeof startRuntime>) {
  // Each service gets a client on its own role, which reaches only its own schema (services/platform/service-databases.ts).
  const dbs = createServiceDbs(config, SERVICE_SCHEMAS, config.DATABASE_POOL_SIZE);
  const db = dbs.auth;
  // The operations console reads every service's data: the owner's connection (DATABASE_URL), one small pool.
  const operatorDb = createDb(config.DATABASE_URL, 2);
  // Start-up refuses a database without the schema and a namespace without the search attributes.
  for (const serviceDb of distinctDbs(dbs)) await checkSchema(serviceDb);
  const temporal = await connectTemporal({
    ...temporalConnectionOf(config),
    namespace: config.TEMPORAL_NAMESPACE,
    codecKeys: config.TEMPORAL_CODEC_KEYS,
    // Each call to Temporal gets 10 s unless it sets its own deadline: a partitioned Temporal answers 503, not a request held for ~45 s.
    callTimeoutMs: API_TEMPORAL_CALL_TIMEOUT_MS,
  });
  await checkNamespace(temporal.connection as Connection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_ADDRESS);
  const kafka = createKafka({ ...kafkaConnectionOf(config), clientId: `${config.KAFKA_CLIENT_ID}-api`, logger });
  const kafkaAdmin = kafka.admin();
  // Every bearer token is checked against its session in auth's schema on every request (no cache: revocation is immediate in every process).
  const tokens = {
    secret: config.JWT_SECRET,
    ttlSeconds: config.JWT_TTL_SECONDS,
    refreshTtlSeconds: config.REFRESH_TTL_SECONDS,
    sessions: sessionCheck(db),
  };
  // Login and signup counts in auth's schema, shared by every API process; the hash cap is per process.
  const rates = rateAttemptStore(db);
  // Counts of keys nobody tries again: gone once their window ends (any API process may sweep; deleting twice is harmless).
  const sweeper = setInterval(() => {
    sweepRateAttempts(db).catch((error: unknown) => logger.warn({ err: error }, 'could not sweep expired rate-limit counts'));
  }, 10 * 60_000);
  sweeper.unref();
  const login = { throttle: new LoginThrottle(rates), trustedProxyHops: config.TRUST_PROXY_HOPS };
  // The platform's ports (services/platform/http/authenticator.ts) with auth's implementation; JWT_SECRET also keys the
  // idempotency hashes, cursor signatures and page-session cookies.
  const auth = bearerAuthenticator(tokens);
  const signIn = passwordSignIn({ db, tokens, throttle: login.throttle });
  const secret = config.JWT_SECRET;
  passwordHashGate.limits = { concurrency: config.PASSWORD_HASH_CONCURRENCY, queue: config.PASSWORD_HASH_QUEUE };
  const rules = {
    loanPeriodMs: config.LOAN_PERIOD_SECONDS * 1000,
    feeDayMs: config.FEE_DAY_SECONDS * 1000,
    reminderBeforeDueMs: config.REMINDER_BEFORE_DUE_SECONDS * 1000,
  };
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
      // The member's account comes from auth, through auth's own code and connection.
      memberRoutes({ db: dbs.member, auth, findAccount: (memberId) => findAccount(dbs.auth, memberId) }),
      memberHistoryRoutes({ db: dbs.member, auth }),
      notificationRoutes({ db: dbs.notifications, auth }),
      // /members/me/sagas before erasure's /members/{memberId} routes.
      mySagasRoutes({ temporal, auth, secret }),
      ...erasureRoutes({ temporal, auth }),
      // /books/best before /books/{bookNo}: the first match wins.
      bestBookRoutes({ db: dbs.bestbook }),
      bookRoutes({ db: dbs.book, auth }),
      ...rentalRoutes({ db: dbs.rental, temporal, auth, secret, rules }),
      partnerRoutes({ db: dbs.partner, auth }),
      codecRoutes({
        codec: new EncryptionCodec(config.TEMPORAL_CODEC_KEYS),
        namespace: config.TEMPORAL_NAMESPACE,
        auth,
        secret,
        codecToken: config.TEMPORAL_CODEC_AUTH_TOKEN,
        uiUrl: config.TEMPORAL_UI_URL,
      }),
      codecSessionRoutes({ signIn, secret, trustedProxyHops: config.TRUST_PROXY_HOPS, uiUrl: config.TEMPORAL_UI_URL }),
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
      db: operatorDb,
      temporal,
      kafka,
      namespace: config.TEMPORAL_NAMESPACE,
      ...(config.TEMPORAL_UI_URL ? { uiUrl: config.TEMPORAL_UI_URL } : {}),
      auth,
      signIn,
      secret,
      trustedProxyHops: config.TRUST_PROXY_HOPS,
      redrive: (topic) => redriveDeadLetters(kafka, topic),
      discard: (topic, which, reason) => discardDeadLetters(kafka, topic, which, reason),
    }),
  );
  const close = async () => {
    clearInterval(sweeper);
    await kafkaAdmin.disconnect().catch(() => {});
    await temporal.connection.close();
    await dbs.disconnect();
    await operatorDb.$disconnect();
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

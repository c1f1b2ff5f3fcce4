/** What the global setup hands to test files: where the running test stack is. */
export interface TestStack {
  apiUrl: string;
  /** Where a second api listens once started with startSecondApi() (test/support/control.ts). */
  secondApiUrl: string;
  /** Every API process (two in the cluster profile; apiUrl is the first). */
  apiUrls: string[];
  /** test/support/control.ts: kill and restart processes, stop and start servers. */
  controlUrl: string;
  /** False under TEST_PROCESSES=0: no app process runs, a suite may run them in its own process. */
  processes: boolean;
  /** Where the stack's processes serve GET /metrics. */
  metricsUrls: { api: string; worker: string; relay: string; consumers: string };
  profile: string;
  /** The owner's connection (migrations, operator commands). */
  databaseUrl: string;
  /** Each service's and the relay's own connection (`AUTH_DATABASE_URL`, ...), straight to the server (a test profile's processes use the same roles through Toxiproxy). */
  serviceDatabaseUrls: Record<string, string>;
  temporalAddress: string;
  temporalUiUrl: string;
  kafkaBrokers: string;
  temporalBinary: string;
  /** Mailpit's web UI and JSON API: every mail the stack sent. */
  mailpitUrl: string;
  /** Mailpit's SMTP server, for suites that run the app processes themselves. */
  smtpUrl: string;
  /** Toxiproxy's HTTP API: the app processes reach PostgreSQL, Kafka and Temporal through its proxies ('' without app processes). */
  toxiproxyUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStack;
  }
}

/** What the global setup hands to test files: where the running test stack is. */
export interface TestStack {
  apiUrl: string;
  /** test/support/control.ts: kill and restart processes, stop and start servers. */
  controlUrl: string;
  profile: string;
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl: string;
  kafkaBrokers: string;
  temporalBinary: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStack;
  }
}

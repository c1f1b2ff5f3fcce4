/**
 * How a process reaches Temporal: the address, and TLS or an API key for a
 * managed server (Temporal Cloud); plus the start-up check that the namespace
 * has the search attributes the sagas set (a saga that sets an unregistered
 * one fails its first workflow task, over and over).
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { TConfig } from './config.ts';
import { SEARCH } from '../contracts/temporal.ts';

export interface TemporalConnection {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

type TemporalSettings = Pick<
  TConfig,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CA_FILE'
  | 'TEMPORAL_TLS_CERT_FILE'
  | 'TEMPORAL_TLS_KEY_FILE'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/** The options both Connection.connect (clients) and NativeConnection.connect (workers) take. */
export function temporalConnectionOf(
  config: TemporalSettings,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
): TemporalConnection {
  const connection: TemporalConnection = { address: config.TEMPORAL_ADDRESS };
  const tlsOn = config.TEMPORAL_TLS || Boolean(config.TEMPORAL_API_KEY);
  if (tlsOn) {
    const tls: TLSConfig = {};
    if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
    if (config.TEMPORAL_TLS_CA_FILE) tls.serverRootCACertificate = readFile(config.TEMPORAL_TLS_CA_FILE);
    if (config.TEMPORAL_TLS_CERT_FILE && config.TEMPORAL_TLS_KEY_FILE) {
      tls.clientCertPair = { crt: readFile(config.TEMPORAL_TLS_CERT_FILE), key: readFile(config.TEMPORAL_TLS_KEY_FILE) };
    }
    connection.tls = Object.keys(tls).length > 0 ? tls : true;
  }
  if (config.TEMPORAL_API_KEY) connection.apiKey = config.TEMPORAL_API_KEY;
  return connection;
}

/** The search attributes the sagas set, with their types, as the server names them. */
export const REQUIRED_SEARCH_ATTRIBUTES = Object.values(SEARCH).map((key) => ({ name: key.name, type: key.type }));

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, as the gRPC client decodes it. */
export const KEYWORD_TYPE = 2;

/** What is missing from a namespace's custom search attributes (name -> indexed value type). */
export function missingSearchAttributes(registered: Record<string, number | string | null | undefined>): string[] {
  return REQUIRED_SEARCH_ATTRIBUTES.filter(({ name }) => {
    const type = registered[name];
    return type !== KEYWORD_TYPE && type !== 'INDEXED_VALUE_TYPE_KEYWORD';
  }).map(({ name }) => name);
}

interface OperatorLike {
  operatorService: { listSearchAttributes(request: { namespace: string }): Promise<{ customAttributes?: Record<string, unknown> | null }> };
  workflowService: { describeNamespace(request: { namespace: string }): Promise<unknown> };
}

/**
 * Refuses to start against a namespace that does not exist or lacks the
 * search attributes, naming what is missing and the command that adds it.
 */
export async function checkNamespace(connection: OperatorLike, namespace: string, address: string): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (error) {
    throw new Error(
      `Temporal namespace "${namespace}" is not usable at ${address} (${(error as Error).message}); create it: temporal operator namespace create --namespace ${namespace} --address ${address}`,
    );
  }
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = missingSearchAttributes((customAttributes ?? {}) as Record<string, number>);
  if (missing.length > 0) {
    const command = `temporal operator search-attribute create --namespace ${namespace} --address ${address} ${missing.map((name) => `--name ${name} --type Keyword`).join(' ')}`;
    throw new Error(
      `Temporal namespace "${namespace}" lacks the search attribute(s) ${missing.join(', ')} (Keyword) the sagas set; add them: ${command}`,
    );
  }
}

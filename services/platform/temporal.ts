import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import { defaultPayloadConverter, type DataConverter, type LoadedDataConverter } from '@temporalio/common';
import { fileURLToPath } from 'node:url';
import { failureConverter } from './failure-converter.ts';
import { EncryptionCodec, type CodecKey } from './payload-codec.ts';
import type { TemporalConnection } from './temporal-connection.ts';

/** The module with the `failureConverter` export, for workers and the workflow bundle (they load it by path). */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

/**
 * A worker's data converter: payloads encrypted, failure messages and stack
 * traces too, and unencrypted payloads refused (services/platform/payload-codec.ts).
 */
export function workerDataConverter(keys: readonly CodecKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys, { plaintext: 'refuse' })], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * The converter for replaying recorded histories (test/replay): the workers' one, except that
 * histories written before encryption was turned on, all plaintext, still replay.
 */
export function replayDataConverter(keys: readonly CodecKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The same converter, already loaded: clients need no `require()` of a path (which a test runner may not resolve). */
export function clientDataConverter(keys: readonly CodecKey[]): LoadedDataConverter {
  return { payloadConverter: defaultPayloadConverter, failureConverter, payloadCodecs: [new EncryptionCodec(keys)] };
}

/** A client that keeps the type of the gRPC connection it was made with (the API's health check uses it). */
export type TemporalClient = Client & { readonly connection: Connection };

export async function connectTemporal(
  options: TemporalConnection & { namespace: string; codecKeys: readonly CodecKey[] },
): Promise<TemporalClient> {
  const { namespace: _namespace, codecKeys: _keys, ...connectionOptions } = options;
  const connection = await Connection.connect(connectionOptions);
  return new Client({
    connection,
    namespace: options.namespace,
    dataConverter: clientDataConverter(options.codecKeys),
    // A StartWorkflow span, child of the active one (the HTTP request), whose context travels in the workflow's headers.
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  }) as TemporalClient;
}

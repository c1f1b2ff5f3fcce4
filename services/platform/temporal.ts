import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
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

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * Gives every gRPC call without a deadline of its own one `ms` from its start, its retries
 * included: with Temporal unreachable or silent (a partition that drops every byte) a call
 * would otherwise wait until gRPC's keepalive gives up, about 45 s, and each retry again.
 */
export const defaultDeadline =
  (ms: number): GrpcInterceptor =>
  (options, nextCall) =>
    // The next call as it is (grpc-js only uses its interface), with the deadline added to its options.
    nextCall(
      options.deadline === undefined || options.deadline === Infinity ? { ...options, deadline: Date.now() + ms } : options,
    ) as ReturnType<GrpcInterceptor>;

export async function connectTemporal(
  options: TemporalConnection & { namespace: string; codecKeys: readonly CodecKey[]; callTimeoutMs?: number },
): Promise<TemporalClient> {
  const { namespace: _namespace, codecKeys: _keys, callTimeoutMs, ...connectionOptions } = options;
  const connection = await Connection.connect({
    ...connectionOptions,
    // The deadline is outermost, so the SDK's own retries (UNAVAILABLE and the like) share it: an attempt
    // that would start after it fails at once, and a caller waits at most callTimeoutMs for the whole call.
    ...(callTimeoutMs ? { interceptors: [defaultDeadline(callTimeoutMs), makeGrpcRetryInterceptor(defaultGrpcRetryOptions())] } : {}),
  });
  return new Client({
    connection,
    namespace: options.namespace,
    dataConverter: clientDataConverter(options.codecKeys),
    // A StartWorkflow span, child of the active one (the HTTP request), whose context travels in the workflow's headers.
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  }) as TemporalClient;
}

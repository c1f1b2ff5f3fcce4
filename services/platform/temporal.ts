import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type DataConverter, type LoadedDataConverter } from '@temporalio/common';
import { fileURLToPath } from 'node:url';
import { failureConverter } from './failure-converter.ts';
import { EncryptionCodec, type CodecKey } from './payload-codec.ts';

/** The module with the `failureConverter` export, for workers and the workflow bundle (they load it by path). */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

/** A worker's data converter: payloads encrypted, failure messages and stack traces too. */
export function workerDataConverter(keys: readonly CodecKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The same converter, already loaded: clients need no `require()` of a path (which a test runner may not resolve). */
export function clientDataConverter(keys: readonly CodecKey[]): LoadedDataConverter {
  return { payloadConverter: defaultPayloadConverter, failureConverter, payloadCodecs: [new EncryptionCodec(keys)] };
}

export async function connectTemporal(options: { address: string; namespace: string; codecKeys: readonly CodecKey[] }): Promise<Client> {
  const connection = await Connection.connect({ address: options.address });
  return new Client({ connection, namespace: options.namespace, dataConverter: clientDataConverter(options.codecKeys) });
}

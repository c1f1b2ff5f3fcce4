/**
 * The failure converter of every Temporal client and worker: failure messages
 * and stack traces go into an encoded payload, so the payload codec encrypts
 * them too. Loaded by path (`failureConverterPath`), also inside the workflow
 * sandbox, so it imports nothing but the SDK's common package.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

/**
 * Loaded by path (`failureConverterPath`) into the worker, the client and the workflow bundle: failure messages and
 * stack traces travel in an encoded payload, which the payload codec encrypts like any other payload.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

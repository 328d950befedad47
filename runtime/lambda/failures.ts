import { ApplicationFailure } from '@temporalio/common';
import { decodeErrorType, NON_RETRYABLE_LAMBDA_ERROR_TYPES } from './errors';

/**
 * How the worker turns what goes wrong with a Lambda call into Temporal failures. Two sources:
 *
 * - the function ran and failed (`FunctionError` is set; the payload is `{errorType, errorMessage, trace}`):
 *   the failure's type is the handler's error name (`PaymentDeclined`), or Lambda's own for a crash
 *   (`Runtime.ExitError`), a timeout (`Sandbox.Timedout`), an unhandled rejection...; retryable
 *   unless the handler marked it (`NonRetryable:` prefix, see errors.ts), or the call site lists the
 *   type in `retry.nonRetryableErrorTypes`;
 * - the Invoke call itself failed (the SDK threw): throttling (429 `TooManyRequestsException`),
 *   service errors (5xx), a function being updated, network errors are retryable, with the retry
 *   policy's backoff; a request Lambda rejects as such (other 4xx: unknown function, bad payload,
 *   no permission) is not, since the same request would be rejected again.
 */

/** The error body Lambda returns with `FunctionError` set (`trace` from Node.js, `stackTrace` from some other runtimes). */
export interface LambdaErrorPayload {
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
  stackTrace?: string[];
}

export function failureFromFunctionError(functionName: string, payloadText: string): ApplicationFailure {
  let payload: LambdaErrorPayload;
  try {
    const parsed = JSON.parse(payloadText) as unknown;
    payload = parsed !== null && typeof parsed === 'object' ? parsed : { errorMessage: payloadText };
  } catch {
    payload = { errorMessage: payloadText };
  }
  const rawType = typeof payload.errorType === 'string' && payload.errorType !== '' ? payload.errorType : 'LambdaFunctionError';
  const { type, nonRetryable } = decodeErrorType(rawType);
  const trace = payload.trace ?? payload.stackTrace;
  return ApplicationFailure.create({
    type,
    message: `${functionName}: ${payload.errorMessage ?? 'function failed'}`,
    nonRetryable: nonRetryable || NON_RETRYABLE_LAMBDA_ERROR_TYPES.includes(type),
    details: [{ source: 'function', errorType: rawType, ...(trace ? { trace } : {}) }],
  });
}

/** 4xx errors of the Invoke API that a later attempt can get past. */
const RETRYABLE_CLIENT_ERRORS = new Set([
  'TooManyRequestsException',
  'ResourceConflictException',
  'ResourceNotReadyException',
  'EC2ThrottledException',
  'SnapStartNotReadyException',
  'RequestTimeoutException',
]);

interface SdkError {
  name?: string;
  message?: string;
  Reason?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

export function failureFromInvokeError(functionName: string, error: unknown): ApplicationFailure {
  const e = (error !== null && typeof error === 'object' ? error : {}) as SdkError;
  const type = e.name && e.name !== 'Error' ? e.name : 'LambdaInvokeError';
  const status = e.$metadata?.httpStatusCode;
  const retryable =
    status === undefined || // no answer from Lambda: network error, socket timeout
    status === 429 ||
    status >= 500 ||
    e.$fault === 'server' ||
    RETRYABLE_CLIENT_ERRORS.has(type);
  const reason = e.Reason ? ` (${e.Reason})` : '';
  return ApplicationFailure.create({
    type,
    message: `${functionName}: Invoke failed: ${e.message ?? String(error)}${reason}`,
    nonRetryable: !retryable,
    details: [{ source: 'invoke', httpStatusCode: status ?? null, reason: e.Reason ?? null, sdkAttempts: e.$metadata?.attempts ?? null }],
  });
}

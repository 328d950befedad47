import { ApplicationFailure } from '@temporalio/common';

/**
 * How a raw invoke (a Step Functions Task) reports what went wrong, in Step Functions' names: the
 * failure's type is the ASL error name and its message the cause, so Retry and Catch of the state
 * machine match them. Never retried by Temporal: retries are the state machine's (its Retry field).
 *
 * - the function failed: the error is its `errorType` (`Lambda.Unknown` without one) and the cause
 *   the error payload as JSON text, as Step Functions reports them;
 * - the Invoke call failed: `Lambda.<exception name>` (`Lambda.TooManyRequestsException`,
 *   `Lambda.ServiceException`, `Lambda.ResourceNotFoundException`...), `Lambda.SdkClientException`
 *   when Lambda did not answer.
 */

export function statesFailureFromFunctionError(payloadText: string): ApplicationFailure {
  let errorType: string | undefined;
  try {
    const parsed = JSON.parse(payloadText) as { errorType?: unknown };
    if (parsed !== null && typeof parsed === 'object' && typeof parsed.errorType === 'string' && parsed.errorType !== '') errorType = parsed.errorType;
  } catch {
    // Not JSON: the text itself is the cause.
  }
  return ApplicationFailure.create({ type: errorType ?? 'Lambda.Unknown', message: payloadText, nonRetryable: true });
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function statesFailureFromInvokeError(error: unknown): ApplicationFailure {
  const e = (error !== null && typeof error === 'object' ? error : {}) as SdkError;
  const answered = e.$metadata?.httpStatusCode !== undefined;
  const name = answered && e.name && e.name !== 'Error' ? e.name : 'SdkClientException';
  return ApplicationFailure.create({ type: `Lambda.${name}`, message: e.message ?? String(error), nonRetryable: true });
}

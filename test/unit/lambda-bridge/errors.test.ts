import { ResourceConflictException, ResourceNotFoundException, ServiceException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import type { Context as LambdaContext } from 'aws-lambda';
import { decodeErrorType, encodeErrorType, isMarkedNonRetryable, nonRetryable, NON_RETRYABLE_PREFIX } from '../../../runtime/lambda/errors';
import { failureFromFunctionError, failureFromInvokeError } from '../../../runtime/lambda/failures';
import { activityHandler } from '../../../runtime/lambda/handler';
import type { InvocationEnvelope } from '../../../runtime/lambda/envelope';
import { thrownBy } from '../../support/thrown';

class PaymentDeclined extends Error {
  override name = 'PaymentDeclined';
}
class CardStolen extends Error {
  override name = 'CardStolen';
  readonly nonRetryable = true;
}

const meta = { workflowId: 'wf', runId: 'run', activityId: '1', attempt: 1, idempotencyKey: 'wf/run/1' };
const context = {} as LambdaContext;
const envelope = (input: unknown): InvocationEnvelope<unknown> => ({ input, meta });
/** The payload Lambda's Node.js runtime (and the local executor) builds from a thrown error. */
const lambdaPayload = (err: Error) => JSON.stringify({ errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') });

describe('handler side: the non-retryable convention', () => {
  it('encodes a marked error as NonRetryable:<name>, keeping message and stack', async () => {
    const handler = activityHandler(() => Promise.reject(nonRetryable(new PaymentDeclined('card expired'))));
    const err = await thrownBy(() => handler(envelope({}), context));
    expect(err.name).toBe('NonRetryable:PaymentDeclined');
    expect(err.message).toBe('card expired');
    expect(err.stack?.split('\n')[0]).toBe('NonRetryable:PaymentDeclined: card expired');
  });

  it('honours a nonRetryable: true property declared by the error class', async () => {
    const handler = activityHandler(() => Promise.reject(new CardStolen('reported stolen')));
    expect((await thrownBy(() => handler(envelope({}), context))).name).toBe('NonRetryable:CardStolen');
  });

  it('passes unmarked errors through untouched', async () => {
    const original = new PaymentDeclined('insufficient funds');
    const handler = activityHandler(() => Promise.reject(original));
    expect(await thrownBy(() => handler(envelope({}), context))).toBe(original);
  });

  it('rejects a malformed event as a non-retryable InvalidInvocation', async () => {
    const handler = activityHandler(() => Promise.resolve(1));
    const err = await thrownBy(() => handler({ hello: 'world' } as unknown as InvocationEnvelope<unknown>, context));
    expect(err.name).toBe('NonRetryable:InvalidInvocation');
  });

  it('round-trips types and never double-prefixes', () => {
    expect(encodeErrorType('PaymentDeclined', true)).toBe(`${NON_RETRYABLE_PREFIX}PaymentDeclined`);
    expect(encodeErrorType('NonRetryable:PaymentDeclined', true)).toBe('NonRetryable:PaymentDeclined');
    expect(encodeErrorType('PaymentDeclined', false)).toBe('PaymentDeclined');
    expect(decodeErrorType('NonRetryable:PaymentDeclined')).toEqual({ type: 'PaymentDeclined', nonRetryable: true });
    expect(decodeErrorType('Runtime.ExitError')).toEqual({ type: 'Runtime.ExitError', nonRetryable: false });
    expect(decodeErrorType('NonRetryable:')).toEqual({ type: 'NonRetryable:', nonRetryable: false });
    expect(isMarkedNonRetryable('a string')).toBe(false);
  });
});

describe('worker side: function errors', () => {
  it('types the failure with the handler error name; non-retryable when marked', () => {
    const wire = new Error('card expired');
    wire.name = 'NonRetryable:PaymentDeclined';
    const failure = failureFromFunctionError('charge', lambdaPayload(wire));
    expect(failure.type).toBe('PaymentDeclined');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('charge: card expired');
    expect(failure.details?.[0]).toMatchObject({ source: 'function', errorType: 'NonRetryable:PaymentDeclined', trace: expect.any(Array) });
  });

  it('leaves unmarked handler errors retryable (the call site may still list them in nonRetryableErrorTypes)', () => {
    const failure = failureFromFunctionError('charge', lambdaPayload(new PaymentDeclined('insufficient funds')));
    expect([failure.type, failure.nonRetryable]).toEqual(['PaymentDeclined', false]);
  });

  it.each([
    ['Runtime.ExitError', false, 'RequestId: x Error: Runtime exited with error: exit status 1'],
    ['Sandbox.Timedout', false, 'RequestId: x Error: Task timed out after 2.00 seconds'],
    ['Runtime.UnhandledPromiseRejection', false, 'boom'],
    ['Function.ResponseSizeTooLarge', true, 'Response payload size exceeded maximum allowed payload size'],
  ])('%s from Lambda itself: nonRetryable=%s', (errorType, nonRetryableExpected, errorMessage) => {
    const failure = failureFromFunctionError('fn', JSON.stringify({ errorType, errorMessage }));
    expect(failure.type).toBe(errorType);
    expect(failure.nonRetryable).toBe(nonRetryableExpected);
  });

  it('survives a payload that is not Lambda error JSON', () => {
    const failure = failureFromFunctionError('fn', 'not json');
    expect([failure.type, failure.message, failure.nonRetryable]).toEqual(['LambdaFunctionError', 'fn: not json', false]);
    expect(failureFromFunctionError('fn', '"a string"').type).toBe('LambdaFunctionError');
  });
});

describe('worker side: Invoke API errors', () => {
  const metadata = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1 });

  it('throttling (429) is retryable and says why', () => {
    const err = new TooManyRequestsException({ message: 'Rate Exceeded.', $metadata: metadata(429), Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    const failure = failureFromInvokeError('fn', err);
    expect([failure.type, failure.nonRetryable]).toEqual(['TooManyRequestsException', false]);
    expect(failure.message).toContain('ReservedFunctionConcurrentInvocationLimitExceeded');
  });

  it('service errors (5xx) and a function being updated (409) are retryable', () => {
    expect(failureFromInvokeError('fn', new ServiceException({ message: 'boom', $metadata: metadata(500) })).nonRetryable).toBe(false);
    expect(failureFromInvokeError('fn', new ResourceConflictException({ message: 'updating', $metadata: metadata(409) })).nonRetryable).toBe(false);
  });

  it('a network error (no HTTP status) is retryable', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    expect([failureFromInvokeError('fn', err).type, failureFromInvokeError('fn', err).nonRetryable]).toEqual(['LambdaInvokeError', false]);
  });

  it('a request Lambda rejects as such (404 unknown function) is not retried', () => {
    const failure = failureFromInvokeError('fn', new ResourceNotFoundException({ message: 'Function not found', $metadata: metadata(404) }));
    expect([failure.type, failure.nonRetryable]).toEqual(['ResourceNotFoundException', true]);
  });
});

import { statesFailureFromFunctionError, statesFailureFromInvokeError } from '../../../runtime/lambda/states-errors';

/** How a raw invoke's failures are named for the state machine's Retry and Catch. */
describe('Step Functions error names of Lambda failures', () => {
  it("a function error is its errorType, the cause the error payload as Lambda returned it", () => {
    const payload = JSON.stringify({ errorType: 'PaymentDeclined', errorMessage: 'card expired', trace: ['PaymentDeclined: card expired'] });
    const failure = statesFailureFromFunctionError(payload);
    expect([failure.type, failure.message, failure.nonRetryable]).toEqual(['PaymentDeclined', payload, true]);
  });

  it('a function error without errorType (or not JSON) is Lambda.Unknown', () => {
    expect(statesFailureFromFunctionError('{"errorMessage":"x"}').type).toBe('Lambda.Unknown');
    expect(statesFailureFromFunctionError('Process exited before completing request').type).toBe('Lambda.Unknown');
  });

  it.each([
    [{ name: 'TooManyRequestsException', message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }, 'Lambda.TooManyRequestsException'],
    [{ name: 'ServiceException', message: 'internal', $metadata: { httpStatusCode: 500 } }, 'Lambda.ServiceException'],
    [{ name: 'ResourceNotFoundException', message: 'Function not found', $metadata: { httpStatusCode: 404 } }, 'Lambda.ResourceNotFoundException'],
    [Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }), 'Lambda.SdkClientException'],
    [{ name: 'TimeoutError', message: 'socket hang up', $metadata: {} }, 'Lambda.SdkClientException'],
  ])('an Invoke error %j is %s', (error, type) => {
    const failure = statesFailureFromInvokeError(error);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(true);
  });
});

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteFunctionCommand, PutFunctionConcurrencyCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { temporalAddress } from '../../infra/local/config';
import { createLambdaActivities } from '../../runtime/lambda/activity';
import { createNodeFunction } from '../support/functions';
import { temporalClient } from '../support/stack';
import type { callLambda, callLambdaConcurrently, LambdaCall } from './fixtures/lambda-bridge-workflows';
import { attemptsOf, bridgeLambdaClient, bundleHandlers, pendingActivity, waitFor } from './lambda-bridge-support';

/**
 * How failures of Lambda steps reach workflows, against real functions in LocalStack: business
 * errors typed by the handler's error name (non-retryable when the handler or the call site says
 * so), and crashes, timeouts, throttling and service errors retried with the retry policy's backoff.
 */
const suffix = randomUUID().slice(0, 8);
const taskQueue = `lambda-bridge-errors-${suffix}`;
const functions = {
  crash: `bridge-crash-${suffix}`,
  declined: `bridge-declined-${suffix}`,
  timeout: `bridge-timeout-${suffix}`,
  throttled: `bridge-throttled-${suffix}`,
  updated: `bridge-updated-${suffix}`,
};
const lambda = bridgeLambdaClient();
// Quick backoff, so the retries of a test take seconds.
const retry = { initialInterval: '300 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds' } as const;

let client: Client;
let closeClient: () => Promise<void>;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

function start(call: LambdaCall) {
  return client.workflow.start<typeof callLambda>('callLambda', { taskQueue, workflowId: `bridge-errors-${randomUUID()}`, args: [call] });
}

beforeAll(async () => {
  const [code, workflowBundle] = await Promise.all([
    bundleHandlers(require.resolve('./functions/bridge-handlers.ts')),
    bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/lambda-bridge-workflows') }),
  ]);
  const files = { 'index.js': code };
  await Promise.all([
    createNodeFunction(lambda, functions.crash, files, { handler: 'index.crashUntil' }),
    createNodeFunction(lambda, functions.declined, files, { handler: 'index.declined' }),
    createNodeFunction(lambda, functions.timeout, files, { handler: 'index.sleepy', timeout: 2 }),
    createNodeFunction(lambda, functions.throttled, files, { handler: 'index.sleepy', timeout: 30 }),
    createNodeFunction(lambda, functions.updated, files, { handler: 'index.sleepy', timeout: 30, env: { MARK: 'v1' } }),
  ]);
  ({ client, close: closeClient } = await temporalClient());
  connection = await NativeConnection.connect({ address: temporalAddress });
  worker = await Worker.create({ connection, taskQueue, workflowBundle, activities: createLambdaActivities({ lambda, functions }) });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await closeClient?.();
  await Promise.all(Object.values(functions).map((name) => lambda.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => undefined)));
});

describe('Lambda bridge: business errors', () => {
  it('a handler error marked non-retryable fails the step at once, typed with its name', async () => {
    const handle = await start({ name: 'declined', input: { mark: true }, options: { startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 5 } } });
    expect(await handle.result()).toEqual({
      ok: false,
      failure: { type: 'PaymentDeclined', nonRetryable: true, message: 'declined: card expired (attempt 1)' },
    });
    expect(await attemptsOf(handle)).toMatchObject([{ attempt: 1, outcome: 'failed', failureType: 'PaymentDeclined', retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' }]);
  });

  it('an unmarked handler error is not retried when the call site lists its type in nonRetryableErrorTypes', async () => {
    const handle = await start({
      name: 'declined',
      input: { mark: false },
      options: { startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 5, nonRetryableErrorTypes: ['PaymentDeclined'] } },
    });
    expect(await handle.result()).toMatchObject({ ok: false, failure: { type: 'PaymentDeclined', nonRetryable: false } });
    expect(await attemptsOf(handle)).toMatchObject([{ attempt: 1, outcome: 'failed', retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' }]);
  });

  it('an unmarked, undeclared handler error is retried until the attempts run out', async () => {
    const handle = await start({ name: 'declined', input: { mark: false }, options: { startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 3 } } });
    expect(await handle.result()).toEqual({ ok: false, failure: { type: 'PaymentDeclined', nonRetryable: false, message: 'declined: card expired (attempt 3)' } });
    expect(await attemptsOf(handle)).toMatchObject([{ attempt: 3, lastFailureType: 'PaymentDeclined', retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' }]);
  });
});

describe('Lambda bridge: infrastructure failures are retried with backoff', () => {
  it('a crash (Runtime.ExitError) on the first 2 attempts: the step completes on attempt 3', async () => {
    const handle = await start({ name: 'crash', input: { succeedOnAttempt: 3 }, options: { startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 5 } } });
    expect(await handle.result()).toEqual({ ok: true, result: { attempt: 3 } });
    expect(await attemptsOf(handle)).toMatchObject([{ attempt: 3, lastFailureType: 'Runtime.ExitError', outcome: 'completed' }]);
  });

  it('a Lambda timeout (Sandbox.Timedout) is retried: attempt 1 runs past the 2 s timeout, attempt 2 completes', async () => {
    const handle = await start({
      name: 'timeout',
      input: { sleepMsByAttempt: { '1': 5000 } },
      options: { startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 3 } },
    });
    expect(await handle.result()).toMatchObject({ ok: true, result: { attempt: 2 } });
    expect(await attemptsOf(handle)).toMatchObject([{ attempt: 2, lastFailureType: 'Sandbox.Timedout', outcome: 'completed' }]);
  });

  it('throttling (429 TooManyRequestsException, reserved concurrency 1, two concurrent calls) is retried until both complete', async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: functions.throttled, ReservedConcurrentExecutions: 1 }));
    const handle = await client.workflow.start<typeof callLambdaConcurrently>('callLambdaConcurrently', {
      taskQueue,
      workflowId: `bridge-throttle-${randomUUID()}`,
      args: [{ name: 'throttled', inputs: [{ sleepMs: 2500 }, { sleepMs: 2500 }], options: { startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 20 } } }],
    });
    const results = (await handle.result()) as Array<{ attempt: number }>;
    expect(results).toHaveLength(2);
    const attempts = await attemptsOf(handle);
    expect(attempts.every((a) => a.outcome === 'completed')).toBe(true);
    // One call ran at once; the other was throttled at least once, then retried until the first had finished.
    const [first, second] = [...attempts].sort((a, b) => a.attempt - b.attempt);
    expect(first!.attempt).toBe(1);
    expect(second!.attempt).toBeGreaterThanOrEqual(2);
    expect(second!.lastFailureType).toBe('TooManyRequestsException');
  });

  it('a service error (5xx ServiceException: the function was updated mid-invocation) is retried; attempt 2 runs the new version', async () => {
    const handle = await start({
      name: 'updated',
      input: { sleepMsByAttempt: { '1': 4000 } },
      options: { startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 5 } },
    });
    await waitFor('the first attempt to be in flight', async () => (await pendingActivity(client, handle.workflowId))?.state === 'PENDING_ACTIVITY_STATE_STARTED');
    await sleep(1000); // the Invoke call is in the function by now
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functions.updated, Environment: { Variables: { MARK: 'v2' } } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { FunctionName: functions.updated });
    expect(await handle.result()).toMatchObject({ ok: true, result: { mark: 'v2' } });
    const [record] = await attemptsOf(handle);
    expect(record!.attempt).toBeGreaterThanOrEqual(2);
    expect(record!.lastFailureType).toBe('ServiceException');
  });
});

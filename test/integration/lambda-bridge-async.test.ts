import { randomUUID } from 'node:crypto';
import { DeleteFunctionCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { temporalAddress } from '../../infra/local/config';
import { payloadDataConverter } from '../../runtime/data-converter';
import { ClaimCheckStore } from '../../runtime/claim-check/store';
import { createLambdaActivities } from '../../runtime/lambda/activity';
import { createNodeFunction } from '../support/functions';
import { s3, stack, temporalClient } from '../support/stack';
import type { callLambda, callLambdaConcurrently } from './fixtures/lambda-bridge-workflows';
import type { LongWorkInput, LongWorkResult } from './functions/async-handlers';
import { attemptsOf, bridgeLambdaClient, bundleHandlers } from './lambda-bridge-support';

/**
 * Async mode: the worker invokes the function with InvocationType Event and lets go of the
 * activity (CompleteAsyncError); the function heartbeats it and completes it through the Temporal
 * client. The worker here has ONE activity slot, and two 15 s calls still run side by side.
 */
const suffix = randomUUID().slice(0, 8);
const taskQueue = `lambda-bridge-async-${suffix}`;
const functionName = `bridge-long-${suffix}`;
const WORK_MS = 15000;
const lambda = bridgeLambdaClient();
const asyncOptions = { mode: 'async', startToCloseTimeout: '2 minutes', heartbeatTimeout: '5 seconds' } as const;

let client: Client;
let closeClient: () => Promise<void>;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  const bucket = stack().DataBucketName;
  const [code, workflowBundle] = await Promise.all([
    bundleHandlers(require.resolve('./functions/async-handlers.ts')),
    bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/lambda-bridge-workflows') }),
  ]);
  await createNodeFunction(lambda, functionName, { 'index.js': code }, {
    handler: 'index.longWork',
    timeout: 60,
    // Locally functions run on the host, where Temporal listens.
    env: { TEMPORAL_ADDRESS: temporalAddress, CLAIM_CHECK_BUCKET: bucket, S3_FORCE_PATH_STYLE: 'true' },
  });
  // No Lambda-level retries of the event: a failed run is noticed by the heartbeat timeout and retried by Temporal.
  await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: functionName, MaximumRetryAttempts: 0 }));
  ({ client, close: closeClient } = await temporalClient());
  connection = await NativeConnection.connect({ address: temporalAddress });
  worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle,
    maxConcurrentActivityTaskExecutions: 1,
    activities: createLambdaActivities({ lambda, functions: { long: functionName }, claimChecks: { store: new ClaimCheckStore({ s3: s3(), bucket }) } }),
    dataConverter: payloadDataConverter({ CLAIM_CHECK_BUCKET: bucket }, { s3: s3() }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await closeClient?.();
  await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName })).catch(() => undefined);
});

describe('Lambda bridge: async mode (Event invoke + async activity completion)', () => {
  it('two 15 s functions on a worker with one activity slot run side by side, kept alive by their heartbeats (5 s timeout)', async () => {
    const started = Date.now();
    const handle = await client.workflow.start<typeof callLambdaConcurrently>('callLambdaConcurrently', {
      taskQueue,
      workflowId: `bridge-async-${randomUUID()}`,
      args: [{ name: 'long', inputs: [{ workMs: WORK_MS }, { workMs: WORK_MS }] satisfies LongWorkInput[], options: { ...asyncOptions, retry: { maximumAttempts: 1 } } }],
    });
    const results = (await handle.result()) as LongWorkResult[];
    const elapsedMs = Date.now() - started;
    console.log(`two async ${WORK_MS / 1000} s steps with one activity slot: ${(elapsedMs / 1000).toFixed(1)} s`);
    expect(results.map((r) => r.attempt)).toEqual([1, 1]);
    // Two execution environments, working at the same time: their intervals overlap.
    const [a, b] = results as [LongWorkResult, LongWorkResult];
    expect(a.pid).not.toBe(b.pid);
    expect(Math.max(a.startedAt, b.startedAt)).toBeLessThan(Math.min(a.finishedAt, b.finishedAt));
    expect(elapsedMs).toBeGreaterThanOrEqual(WORK_MS);
    expect(elapsedMs).toBeLessThan(2 * WORK_MS - 4000); // sequential would be 30 s and more
    // Each function ran three times longer than the heartbeat timeout: its heartbeats kept the activity alive.
    expect(await attemptsOf(handle)).toMatchObject([
      { attempt: 1, outcome: 'completed' },
      { attempt: 1, outcome: 'completed' },
    ]);
  });

  it('a large result goes through the claim check: the history keeps only a reference', async () => {
    const handle = await client.workflow.start<typeof callLambda>('callLambda', {
      taskQueue,
      workflowId: `bridge-async-large-${randomUUID()}`,
      args: [{ name: 'long', input: { workMs: 500, resultBytes: 1_000_000 } satisfies LongWorkInput, options: { ...asyncOptions, retry: { maximumAttempts: 1 } } }],
    });
    const outcome = await handle.result();
    expect(outcome.ok && (outcome.result as LongWorkResult).padding?.length).toBe(1_000_000);
    const history = await handle.fetchHistory();
    expect(temporal.api.history.v1.History.encode(history).finish().byteLength).toBeLessThan(64 * 1024);
  });

  it('a non-retryable handler error fails the activity once, typed', async () => {
    const handle = await client.workflow.start<typeof callLambda>('callLambda', {
      taskQueue,
      workflowId: `bridge-async-fail-${randomUUID()}`,
      args: [{ name: 'long', input: { workMs: 500, decline: true } satisfies LongWorkInput, options: { ...asyncOptions, retry: { maximumAttempts: 5 } } }],
    });
    expect(await handle.result()).toEqual({ ok: false, failure: { type: 'PaymentDeclined', nonRetryable: true, message: 'card expired' } });
    expect(await attemptsOf(handle)).toMatchObject([{ attempt: 1, outcome: 'failed', retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' }]);
  });

  it('a function that dies mid-work is noticed by the heartbeat timeout; Temporal invokes it again, with its last progress', async () => {
    const handle = await client.workflow.start<typeof callLambda>('callLambda', {
      taskQueue,
      workflowId: `bridge-async-crash-${randomUUID()}`,
      args: [
        {
          name: 'long',
          input: { workMs: 2000, crashOnAttempt: 1 } satisfies LongWorkInput,
          options: { ...asyncOptions, heartbeatTimeout: '3 seconds', retry: { initialInterval: '200 milliseconds', maximumAttempts: 3 } },
        },
      ],
    });
    // Attempt 2 starts from the progress attempt 1 heartbeated before it died.
    expect(await handle.result()).toMatchObject({ ok: true, result: { attempt: 2, resumedFrom: { doneMs: expect.any(Number) } } });
    expect(await attemptsOf(handle)).toMatchObject([{ attempt: 2, outcome: 'completed', lastFailureTimeoutType: 'TIMEOUT_TYPE_HEARTBEAT' }]);
  });
});

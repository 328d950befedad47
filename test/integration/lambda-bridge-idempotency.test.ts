import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DeleteFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { localAwsClientConfig } from '../../infra/local/config';
import { IdempotencyStore, type IdempotencyRecord } from '../../runtime/idempotency';
import type { InvocationEnvelope } from '../../runtime/lambda/envelope';
import { createNodeFunction } from '../support/functions';
import { stack } from '../support/stack';
import type { CounterInput, CounterResult } from './functions/bridge-handlers';
import { bridgeLambdaClient, bundleHandlers } from './lambda-bridge-support';

/**
 * withIdempotency against real DynamoDB (LocalStack): a handler whose side effect is not
 * idempotent by itself (it adds 1 to a counter) runs once per idempotency key, however often it is
 * invoked with that key, and every invocation gets the first result.
 */
const suffix = randomUUID().slice(0, 8);
const idempotencyTable = `bridge-idempotency-${suffix}`;
const counterTable = `bridge-counters-${suffix}`;
const counterFn = `bridge-counter-${suffix}`;
/** The same handler with an 8 s lease, to show the at-least-once window without waiting for a Lambda timeout. */
const shortLeaseFn = `bridge-counter-short-${suffix}`;
// Long enough that a loaded machine's cold start of the next invocation (the crashed environment is
// gone) still lands inside it; the test then waits it out.
const LEASE_MS = 8000;

const aws = localAwsClientConfig;
const ddb = new DynamoDBClient(aws);
const doc = DynamoDBDocumentClient.from(ddb);
const lambda = bridgeLambdaClient();

type Outcome = { ok: true; result: CounterResult } | { ok: false; errorType: string; errorMessage: string };

let invocations = 0;
/** Invokes the function as the worker would: an envelope whose meta carries the idempotency key. */
async function invoke(functionName: string, input: CounterInput, key: string, attempt = 1): Promise<Outcome> {
  invocations += 1;
  const envelope: InvocationEnvelope<CounterInput> = { input, meta: { workflowId: 'wf', runId: 'run', activityId: String(invocations), attempt, idempotencyKey: key } };
  const res = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(envelope)) }));
  const payload = JSON.parse(Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
  if (res.FunctionError) return { ok: false, errorType: String(payload.errorType), errorMessage: String(payload.errorMessage) };
  return { ok: true, result: payload as unknown as CounterResult };
}

async function counterValue(id: string): Promise<number> {
  const res = await doc.send(new GetCommand({ TableName: counterTable, Key: { id }, ConsistentRead: true }));
  return Number((res.Item as { n?: number } | undefined)?.n ?? 0);
}

async function record(key: string): Promise<IdempotencyRecord | undefined> {
  const res = await doc.send(new GetCommand({ TableName: idempotencyTable, Key: { key }, ConsistentRead: true }));
  return res.Item as IdempotencyRecord | undefined;
}

beforeAll(async () => {
  await Promise.all([
    ddb.send(new CreateTableCommand({ TableName: idempotencyTable, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }] })),
    ddb.send(new CreateTableCommand({ TableName: counterTable, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] })),
  ]);
  await waitUntilTableExists({ client: ddb, maxWaitTime: 60 }, { TableName: idempotencyTable });
  await waitUntilTableExists({ client: ddb, maxWaitTime: 60 }, { TableName: counterTable });
  await ddb.send(new UpdateTimeToLiveCommand({ TableName: idempotencyTable, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  const files = { 'index.js': await bundleHandlers(require.resolve('./functions/bridge-handlers.ts')) };
  const env = { IDEMPOTENCY_TABLE: idempotencyTable, COUNTER_TABLE: counterTable, CLAIM_CHECK_BUCKET: stack().DataBucketName, S3_FORCE_PATH_STYLE: 'true' };
  await Promise.all([
    createNodeFunction(lambda, counterFn, files, { handler: 'index.counter', timeout: 20, env }),
    createNodeFunction(lambda, shortLeaseFn, files, { handler: 'index.counter', timeout: 20, env: { ...env, LEASE_MS: String(LEASE_MS) } }),
  ]);
});

afterAll(async () => {
  await Promise.all([
    lambda.send(new DeleteFunctionCommand({ FunctionName: counterFn })).catch(() => undefined),
    lambda.send(new DeleteFunctionCommand({ FunctionName: shortLeaseFn })).catch(() => undefined),
    ddb.send(new DeleteTableCommand({ TableName: idempotencyTable })).catch(() => undefined),
    ddb.send(new DeleteTableCommand({ TableName: counterTable })).catch(() => undefined),
  ]);
});

describe('withIdempotency (DynamoDB)', () => {
  it('the same key twice: the side effect happens once, both get the first result', async () => {
    const key = `wf-a/run/1`;
    const first = await invoke(counterFn, { counterId: 'same-key' }, key, 1);
    const second = await invoke(counterFn, { counterId: 'same-key' }, key, 2);
    expect(first).toMatchObject({ ok: true, result: { count: 1 } });
    expect(second).toEqual(first); // same request id too: the result of the first run, replayed
    expect(await counterValue('same-key')).toBe(1);
    expect(await record(key)).toMatchObject({ status: 'COMPLETED', result: JSON.stringify((first as { result: unknown }).result), expiresAt: expect.any(Number) });
  });

  it('different keys: the side effect happens for each', async () => {
    const first = await invoke(counterFn, { counterId: 'two-keys' }, 'wf-b/run/1');
    const second = await invoke(counterFn, { counterId: 'two-keys' }, 'wf-b/run/2');
    expect([first, second]).toMatchObject([{ ok: true, result: { count: 1 } }, { ok: true, result: { count: 2 } }]);
    expect(await counterValue('two-keys')).toBe(2);
  });

  it('a duplicate while the first run is in progress gets the retryable IdempotencyInProgress, then the first result', async () => {
    const key = 'wf-c/run/1';
    const slow = invoke(counterFn, { counterId: 'concurrent', sleepMs: 8000 }, key, 1);
    // The duplicate goes once the first run holds the key (not after a fixed pause, which a loaded
    // machine's cold start can outlast); the first run's 8 s leave room for the duplicate's own cold start.
    for (const deadline = Date.now() + 15000; (await record(key))?.status !== 'IN_PROGRESS'; ) {
      if (Date.now() > deadline) throw new Error('the first run never claimed the key');
      await sleep(100);
    }
    const duplicate = await invoke(counterFn, { counterId: 'concurrent', sleepMs: 8000 }, key, 2);
    // Not prefixed NonRetryable: Temporal retries it with backoff.
    expect(duplicate).toMatchObject({ ok: false, errorType: 'IdempotencyInProgress' });
    const first = await slow;
    expect(first).toMatchObject({ ok: true, result: { count: 1 } });
    expect(await invoke(counterFn, { counterId: 'concurrent' }, key, 3)).toEqual(first);
    expect(await counterValue('concurrent')).toBe(1);
  });

  it('a run that fails releases the key: the retry runs the handler', async () => {
    const key = 'wf-d/run/1';
    expect(await invoke(counterFn, { counterId: 'fails-first', failBeforeEffect: true }, key, 1)).toMatchObject({ ok: false, errorType: 'Error' });
    expect(await record(key)).toBeUndefined();
    expect(await invoke(counterFn, { counterId: 'fails-first' }, key, 2)).toMatchObject({ ok: true, result: { count: 1 } });
  });

  it('the at-least-once window: a crash after the side effect but before the record repeats the effect once the lease ends', async () => {
    const key = 'wf-e/run/1';
    expect(await invoke(shortLeaseFn, { counterId: 'window', crashAfterEffect: true }, key, 1)).toMatchObject({ ok: false, errorType: 'Runtime.ExitError' });
    expect(await counterValue('window')).toBe(1);
    expect(await record(key)).toMatchObject({ status: 'IN_PROGRESS' });
    // Within the lease the key stays blocked (the holder might still be running)...
    expect(await invoke(shortLeaseFn, { counterId: 'window' }, key, 2)).toMatchObject({ ok: false, errorType: 'IdempotencyInProgress' });
    // ...after it, a retry runs the handler again: the effect happens a second time.
    await sleep(LEASE_MS + 200);
    expect(await invoke(shortLeaseFn, { counterId: 'window' }, key, 3)).toMatchObject({ ok: true, result: { count: 2 } });
    expect(await counterValue('window')).toBe(2);
  });

  it('a result too large for a DynamoDB item is recorded through the claim check, and replayed intact', async () => {
    const key = 'wf-f/run/1';
    const first = await invoke(counterFn, { counterId: 'large', padBytes: 500_000 }, key, 1);
    const second = await invoke(counterFn, { counterId: 'large', padBytes: 500_000 }, key, 2);
    // Above 256 KiB the handler returns the result by reference; the same bytes have the same address.
    expect(first.ok && 'steplessClaimCheck' in first.result).toBe(true);
    expect(second).toEqual(first);
    const stored = await record(key);
    expect(stored?.result).toBeUndefined();
    expect(stored?.resultRef).toEqual((first as unknown as { result: { steplessClaimCheck: unknown } }).result.steplessClaimCheck);
    expect(await counterValue('large')).toBe(1);
  });

  it('a completed record past its TTL counts as gone, even before DynamoDB deletes it', async () => {
    let now = Date.now();
    const store = new IdempotencyStore({ dynamo: doc, tableName: idempotencyTable, ttlSeconds: 60, now: () => now });
    const key = `store-${randomUUID()}`;
    expect(await store.begin(key, 'a', 1000)).toEqual({ state: 'acquired' });
    expect(await store.complete(key, 'a', { v: 1 })).toBe(true);
    const replay = await store.begin(key, 'b', 1000);
    expect(replay.state).toBe('completed');
    expect(await store.resultOf((replay as { record: IdempotencyRecord }).record)).toEqual({ value: { v: 1 } });
    // Another owner cannot complete or release a key it does not hold.
    expect(await store.complete(key, 'b', { v: 2 })).toBe(false);
    now += 61_000;
    expect(await store.begin(key, 'c', 1000)).toEqual({ state: 'acquired' });
  });
});

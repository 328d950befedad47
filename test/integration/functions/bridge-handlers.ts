// Lambda handlers that the bridge's integration tests bundle with esbuild and deploy on the fly,
// one function per export (not workflow code).
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { withIdempotency } from '../../../runtime/idempotency';
import { activityHandler, nonRetryable } from '../../../runtime/lambda/handler';

export class PaymentDeclined extends Error {
  override name = 'PaymentDeclined';
}

/** Crashes the process (`Runtime.ExitError`) on every attempt before `succeedOnAttempt`. */
export const crashUntil = activityHandler<{ succeedOnAttempt: number }, { attempt: number }>(async (input, meta) => {
  if (meta.attempt < input.succeedOnAttempt) {
    console.log(`attempt ${meta.attempt}: crashing on purpose`);
    process.exit(1);
  }
  return Promise.resolve({ attempt: meta.attempt });
});

/** A business error; marked non-retryable by the handler when `mark` is set. */
export const declined = activityHandler<{ mark: boolean }, never>((input, meta) => {
  const error = new PaymentDeclined(`card expired (attempt ${meta.attempt})`);
  return Promise.reject(input.mark ? nonRetryable(error) : error);
});

/** Sleeps (per attempt, or always), then answers with its attempt and environment variable MARK. */
export const sleepy = activityHandler<{ sleepMs?: number; sleepMsByAttempt?: Record<string, number> }, { attempt: number; mark: string | null; pid: number }>(
  async (input, meta) => {
    await sleep(input.sleepMsByAttempt?.[String(meta.attempt)] ?? input.sleepMs ?? 0);
    return { attempt: meta.attempt, mark: process.env.MARK ?? null, pid: process.pid };
  },
);

const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export interface CounterInput {
  counterId: string;
  /** Hold the key for this long before the side effect (to let a duplicate arrive meanwhile). */
  sleepMs?: number;
  /** Fail before the side effect: the key is released, a retry runs again. */
  failBeforeEffect?: boolean;
  /** Crash after the side effect, before the result is recorded: the at-least-once window. */
  crashAfterEffect?: boolean;
  /** Pad the result to this many bytes (a large result is recorded through the claim check). */
  padBytes?: number;
}
export interface CounterResult {
  count: number;
  requestId: string;
  padding?: string;
}

/**
 * A side effect that is not idempotent by itself: adds 1 to a counter item. Wrapped in
 * withIdempotency (table IDEMPOTENCY_TABLE), so a repeated key returns the first result instead.
 */
export const counter = activityHandler<CounterInput, CounterResult>(
  withIdempotency({ leaseMs: Number(process.env.LEASE_MS ?? 0) || undefined }, async (input: CounterInput, _meta, context) => {
    if (input.sleepMs) await sleep(input.sleepMs);
    if (input.failBeforeEffect) throw new Error('failed before the side effect');
    const res = await dynamo.send(
      new UpdateCommand({
        TableName: process.env.COUNTER_TABLE,
        Key: { id: input.counterId },
        UpdateExpression: 'ADD #n :one',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    if (input.crashAfterEffect) process.exit(1);
    return {
      count: Number((res.Attributes as { n: number }).n),
      requestId: context.awsRequestId,
      ...(input.padBytes ? { padding: 'p'.repeat(input.padBytes) } : {}),
    };
  }),
);

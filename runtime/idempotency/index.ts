import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClaimCheckStore } from '../claim-check/store';
import type { InvocationMeta } from '../lambda/envelope';
import { nonRetryable } from '../lambda/errors';
import { handlerClaimCheckStore } from '../lambda/handler';
import { IdempotencyStore, type IdempotencyStoreOptions } from './store';

export { IdempotencyStore, DEFAULT_IDEMPOTENCY_TTL_SECONDS, type BeginOutcome, type IdempotencyRecord, type IdempotencyStoreOptions } from './store';

/**
 * Exactly-once effects for Lambda steps, as far as a function can give them. Temporal retries an
 * activity whose outcome it did not get (a crash, a timeout, a worker that died while the function
 * kept running); every attempt carries the same `meta.idempotencyKey`. Wrapped in
 * `withIdempotency`, the handler runs once per key: the first run records its result in DynamoDB
 * and later runs return that result instead of repeating the side effect.
 *
 *   export const handler = activityHandler(withIdempotency({}, async (input: Charge, meta) => charge(input)));
 *
 * - A duplicate that arrives while the first run is still going (a retry after a heartbeat timeout,
 *   with the first Lambda call still running) finds an in-progress marker and fails with the
 *   retryable `IdempotencyInProgress`; Temporal's backoff retries it until the first run has
 *   recorded its result. The marker's lease ends with the first run's Lambda timeout, so a run that
 *   died does not block the key for longer than that.
 * - A run that fails releases the key: the retry runs the handler again.
 * - **The at-least-once window**: a run that dies (crash, timeout, lost network) after its side
 *   effect but before the record is written leaves only the in-progress marker; once its lease
 *   ends, a retry runs the handler again and repeats the effect. Make the effect itself idempotent
 *   (a conditional write, an idempotency key passed on to the payment provider...) when that matters.
 */
export interface IdempotencyOptions<I> {
  /** Table with partition key `key` (string) and TTL attribute `expiresAt`. Default: IDEMPOTENCY_TABLE. */
  tableName?: string;
  dynamo?: DynamoDBDocumentClient;
  /** Default: the invocation's idempotency key (workflow id, run id, activity id). */
  keyOf?: (input: I, meta: InvocationMeta) => string;
  /**
   * How long an in-progress marker blocks duplicates. Default: the time the invocation has left
   * (Lambda's `getRemainingTimeInMillis()`) plus 5 s, after which its holder is surely gone.
   */
  leaseMs?: number;
  /** How long completed records are kept (DynamoDB TTL). Default 7 days. */
  ttlSeconds?: number;
  /** Results above this many bytes of JSON go to the claim-check bucket. Default 300 000. */
  inlineResultLimitBytes?: number;
  /** Where large results go. Default: CLAIM_CHECK_BUCKET's store, if set. */
  claimChecks?: ClaimCheckStore;
}

/** Thrown while another run holds the key's lease. Retryable: a later attempt gets the first result. */
export class IdempotencyInProgress extends Error {
  override readonly name = 'IdempotencyInProgress';
}

/** Completed before, but its result was too large to keep (no claim-check bucket). Non-retryable. */
export class IdempotentResultUnavailable extends Error {
  override readonly name = 'IdempotentResultUnavailable';
}

interface RemainingTime {
  getRemainingTimeInMillis?: () => number;
  awsRequestId?: string;
}

/** The Lambda context, whether the handler gets it directly (activityHandler) or inside the async context. */
function lambdaContextOf(context: unknown): RemainingTime | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const c = context as RemainingTime & { lambda?: RemainingTime };
  return typeof c.getRemainingTimeInMillis === 'function' ? c : c.lambda;
}

let defaultDynamo: DynamoDBDocumentClient | undefined;

export function withIdempotency<I, O, C>(
  options: IdempotencyOptions<I>,
  fn: (input: I, meta: InvocationMeta, context: C) => Promise<O>,
): (input: I, meta: InvocationMeta, context: C) => Promise<O> {
  let store: IdempotencyStore | undefined;
  const storeOf = (): IdempotencyStore => {
    if (store) return store;
    const tableName = options.tableName ?? process.env.IDEMPOTENCY_TABLE;
    if (!tableName) throw nonRetryable(Object.assign(new Error('withIdempotency: no table; set IDEMPOTENCY_TABLE or pass tableName'), { name: 'IdempotencyNotConfigured' }));
    const storeOptions: IdempotencyStoreOptions = {
      dynamo: options.dynamo ?? (defaultDynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({}))),
      tableName,
      ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
      ...(options.inlineResultLimitBytes !== undefined ? { inlineResultLimitBytes: options.inlineResultLimitBytes } : {}),
    };
    const claimChecks = options.claimChecks ?? handlerClaimCheckStore();
    if (claimChecks) storeOptions.claimChecks = claimChecks;
    store = new IdempotencyStore(storeOptions);
    return store;
  };

  return async (input, meta, context) => {
    const records = storeOf();
    const key = options.keyOf ? options.keyOf(input, meta) : meta.idempotencyKey;
    const lambda = lambdaContextOf(context);
    // The request id names this run; a fresh id besides, since Lambda reuses it for its own retries.
    const owner = `${lambda?.awsRequestId ?? 'local'}/${meta.attempt}/${randomUUID()}`;
    const leaseMs = options.leaseMs ?? (lambda?.getRemainingTimeInMillis ? lambda.getRemainingTimeInMillis() + 5000 : 15 * 60 * 1000);

    const begun = await records.begin(key, owner, leaseMs);
    if (begun.state === 'completed') {
      const stored = await records.resultOf(begun.record);
      if (stored === undefined) {
        throw nonRetryable(new IdempotentResultUnavailable(`${key} completed at ${begun.record.completedAt ?? '?'}, but its result was too large to keep; set CLAIM_CHECK_BUCKET`));
      }
      log('idempotent replay: returning the recorded result', { key, attempt: meta.attempt, completedAt: begun.record.completedAt });
      return stored.value as O;
    }
    if (begun.state === 'in-progress') {
      const until = new Date(begun.record.leaseExpiresAt ?? 0).toISOString();
      throw new IdempotencyInProgress(`${key} is being processed by another invocation (lease until ${until}); retry later`);
    }

    let output: O;
    try {
      output = await fn(input, meta, context);
    } catch (err) {
      await records.release(key, owner).catch(() => undefined);
      throw err;
    }
    if (!(await records.complete(key, owner, output))) {
      log('idempotency lease lost before the result was recorded: another invocation took the key over', { key, attempt: meta.attempt });
    }
    return output;
  };
}

function log(msg: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg, ...fields }));
}

import { setTimeout as sleep } from 'node:timers/promises';
import {
  ActivityCancelledError,
  ActivityNotFoundError,
  ActivityPausedError,
  ActivityResetError,
  Client,
  Connection,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Context as LambdaContext } from 'aws-lambda';
import { payloadDataConverter } from '../data-converter';
import { temporalConnectionFromEnv } from '../temporal-connection';
import type { AsyncCompletion, InvocationEnvelope, InvocationMeta } from './envelope';
import { errorNameOf, isMarkedNonRetryable } from './errors';
import { invalidInvocation, unwrapEnvelope } from './handler';

/**
 * The handler side of an asynchronous Lambda step (`lambdaFunction(name, { mode: 'async', ... })`):
 * the worker invoked the function with InvocationType Event and returned, holding no slot, and
 * handed over the activity's task token. This function now owns the activity: it heartbeats it
 * through the Temporal client while `fn` runs, then completes it with the result or fails it with
 * the error. It is the equivalent of Step Functions' `.waitForTaskToken`, with the function
 * reporting straight to Temporal.
 *
 * The function needs network access to the Temporal frontend: `TEMPORAL_ADDRESS` (default
 * 127.0.0.1:7233, right for the local cloud, where functions run on the host). On AWS, put the
 * function in a VPC that reaches the Temporal service, or use Temporal Cloud with mTLS
 * (`TEMPORAL_TLS_SECRET_ARN`) or an API key (`TEMPORAL_API_KEY_SECRET_ARN`), both read from
 * Secrets Manager (runtime/temporal-connection.ts; the function needs secretsmanager:GetSecretValue
 * on the secret). Results above the claim-check threshold go through S3 (CLAIM_CHECK_BUCKET) by
 * way of the same payload codec the worker uses.
 *
 * Configure the function with no asynchronous retries (`MaximumRetryAttempts: 0`): if it crashes or
 * times out, its heartbeats stop, the activity's heartbeat timeout fires, and Temporal retries the
 * activity (a fresh Event invocation with a new task token) under the workflow's retry policy.
 */

export interface AsyncActivityContext {
  lambda: LambdaContext;
  /**
   * Aborted when the work should stop: the workflow cancelled the activity, it was paused or reset,
   * or Temporal no longer knows this attempt (it timed out and was retried elsewhere).
   */
  signal: AbortSignal;
  /** Progress details sent with the next heartbeat; a retry finds the last ones in `previousHeartbeat`. */
  heartbeat(details?: unknown): void;
  /** What the previous attempt last reported with `heartbeat(details)`, to resume from. */
  previousHeartbeat?: unknown;
}

export type AsyncActivityFn<I, O> = (input: I, meta: InvocationMeta, context: AsyncActivityContext) => Promise<O>;

export interface AsyncActivityHandlerOptions {
  /** How to reach Temporal; default from TEMPORAL_* (runtime/temporal-connection.ts). */
  connection?: () => Promise<Connection>;
}

/** What the handler returns to Lambda (Event invocations discard it; it shows in tests and logs). */
export interface AsyncOutcome {
  outcome: 'completed' | 'failed' | 'cancelled' | 'stale';
}

let connecting: Promise<Connection> | undefined;
const clients = new Map<string, Client>();

async function connectFromEnv(): Promise<Connection> {
  return Connection.connect(await temporalConnectionFromEnv().connectionOptions());
}

async function clientFor(namespace: string, connect: () => Promise<Connection>): Promise<Client> {
  const existing = clients.get(namespace);
  if (existing) return existing;
  // One connection per execution environment, reused while it is warm.
  connecting ??= connect().catch((err: unknown) => {
    connecting = undefined;
    throw err;
  });
  const connection = await connecting;
  const client = new Client({ connection, namespace, dataConverter: payloadDataConverter(process.env) });
  clients.set(namespace, client);
  return client;
}

/** The failure reported to Temporal for what `fn` threw: typed by the error's name, non-retryable if marked. */
function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({
    type: errorNameOf(err),
    message,
    nonRetryable: isMarkedNonRetryable(err),
    ...(err instanceof Error ? { cause: err } : {}),
  });
}

export function asyncActivityHandler<I, O>(
  fn: AsyncActivityFn<I, O>,
  options: AsyncActivityHandlerOptions = {},
): (event: InvocationEnvelope<I>, context: LambdaContext) => Promise<AsyncOutcome> {
  return async (event, lambdaContext) => {
    const completion: AsyncCompletion | undefined = event?.async;
    if (completion === undefined || typeof completion.taskToken !== 'string') {
      // Nobody to report to: invoked directly, or by the sync path (`mode: 'async'` missing at the call site).
      throw invalidInvocation('expected an asynchronous invocation envelope with a task token (lambdaFunction(..., { mode: "async" }))');
    }
    const taskToken = new Uint8Array(Buffer.from(completion.taskToken, 'base64'));
    const client = await clientFor(completion.namespace, options.connection ?? connectFromEnv);
    const controller = new AbortController();
    let stop: 'cancelled' | 'paused' | 'reset' | 'stale' | undefined;
    // Until fn reports progress, heartbeats carry the previous attempt's, so a second crash loses nothing.
    let details: unknown = completion.previousHeartbeat;

    const beat = async (): Promise<void> => {
      try {
        await client.activity.heartbeat(taskToken, details);
      } catch (err) {
        if (err instanceof ActivityCancelledError) stop = 'cancelled';
        else if (err instanceof ActivityPausedError) stop = 'paused';
        else if (err instanceof ActivityResetError) stop = 'reset';
        else if (err instanceof ActivityNotFoundError) stop = 'stale';
        else {
          // A transient error reaching Temporal: the next beat tries again; the heartbeat timeout decides.
          console.warn(JSON.stringify({ level: 'warn', msg: 'heartbeat failed', workflowId: event.meta.workflowId, error: String(err) }));
          return;
        }
        controller.abort(new Error(`activity ${stop}`));
      }
    };

    // A first heartbeat before any work: an event delivered twice, or after the activity timed out
    // and was retried, finds its task token stale and does nothing.
    await beat();
    if (stop === 'stale') return { outcome: 'stale' };

    const intervalMs = Math.max(200, Math.floor((completion.heartbeatTimeoutMs ?? 30000) / 3));
    const ticker = (async () => {
      while (!controller.signal.aborted) {
        await sleep(intervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
        if (!controller.signal.aborted) await beat();
      }
    })();

    let result: { ok: true; value: O } | { ok: false; error: unknown };
    try {
      const input = await unwrapEnvelope(event);
      const value = await fn(input, event.meta, {
        lambda: lambdaContext,
        signal: controller.signal,
        heartbeat: (d?: unknown) => {
          details = d;
        },
        ...(completion.previousHeartbeat !== undefined ? { previousHeartbeat: completion.previousHeartbeat } : {}),
      });
      result = { ok: true, value };
    } catch (error) {
      result = { ok: false, error };
    } finally {
      controller.abort(new Error('done'));
      await ticker;
    }

    try {
      if (stop === 'cancelled') {
        await client.activity.reportCancellation(taskToken, details);
        return { outcome: 'cancelled' };
      }
      if (stop === 'paused' || stop === 'reset') {
        // As the worker does for its own activities: end this attempt with a retryable failure.
        await client.activity.fail(taskToken, ApplicationFailure.retryable(`activity ${stop}`, 'CancelledFailure'));
        return { outcome: 'cancelled' };
      }
      if (result.ok) {
        await client.activity.complete(taskToken, result.value);
        return { outcome: 'completed' };
      }
      await client.activity.fail(taskToken, toApplicationFailure(result.error));
      return { outcome: 'failed' };
    } catch (err) {
      // Completed already (a duplicate delivery), or timed out meanwhile: Temporal has moved on.
      if (err instanceof ActivityNotFoundError) return { outcome: 'stale' };
      throw err;
    }
  };
}

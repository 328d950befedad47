// Asynchronous Lambda handlers that integration tests bundle with esbuild and deploy on the fly (not workflow code).
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncActivityHandler } from '../../../runtime/lambda/async-handler';
import { nonRetryable } from '../../../runtime/lambda/errors';

export interface LongWorkInput {
  /** How long the function works, in steps of 500 ms, heartbeating its progress. */
  workMs: number;
  /** Size of a padding string in the result, to send it through the claim check. */
  resultBytes?: number;
  /** Fail with a non-retryable PaymentDeclined after the work. */
  decline?: boolean;
  /** Crash the process (no completion, heartbeats stop) on this attempt, 1.5 s into the work. */
  crashOnAttempt?: number;
}

export interface LongWorkResult {
  attempt: number;
  pid: number;
  startedAt: number;
  finishedAt: number;
  /** The progress the previous attempt last heartbeated, if any. */
  resumedFrom: unknown;
  padding?: string;
}

class PaymentDeclined extends Error {
  override name = 'PaymentDeclined';
}

/** Works for `workMs` (much longer than the heartbeat timeout) and completes the activity itself. */
export const longWork = asyncActivityHandler<LongWorkInput, LongWorkResult>(async (input, meta, ctx) => {
  const startedAt = Date.now();
  console.log(JSON.stringify({ msg: 'long work started', workflowId: meta.workflowId, attempt: meta.attempt, workMs: input.workMs }));
  while (Date.now() - startedAt < input.workMs) {
    await sleep(500, undefined, { signal: ctx.signal });
    ctx.heartbeat({ doneMs: Date.now() - startedAt });
    // After a heartbeat or two has carried the progress to Temporal.
    if (input.crashOnAttempt === meta.attempt && Date.now() - startedAt >= 1500) process.exit(1);
  }
  if (input.decline) throw nonRetryable(new PaymentDeclined('card expired'));
  return {
    attempt: meta.attempt,
    pid: process.pid,
    startedAt,
    finishedAt: Date.now(),
    resumedFrom: ctx.previousHeartbeat ?? null,
    ...(input.resultBytes ? { padding: 'x'.repeat(input.resultBytes) } : {}),
  };
});

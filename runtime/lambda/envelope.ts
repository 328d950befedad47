import type { ClaimCheckRef } from '../claim-check/ref';

/**
 * What the worker sends a Lambda function when an activity invokes it: the caller's input (inline,
 * or by reference when it is too large for an Invoke call), and where the call comes from, so the
 * handler can log with workflow ids and deduplicate retries.
 * Types only: imported by workflow code, the worker and handlers alike.
 */
export interface InvocationMeta {
  workflowId: string;
  runId: string;
  activityId: string;
  /** 1 for the first attempt, incremented by Temporal on each retry. */
  attempt: number;
  /** Stable across retries of the same activity: workflow id + activity id. */
  idempotencyKey: string;
}

export type InvocationEnvelope<I> = { input: I; meta: InvocationMeta } | { inputRef: ClaimCheckRef; meta: InvocationMeta };

/** A handler's result too large to return inline: the bridge fetches it from S3 on the worker side. */
export interface ClaimCheckedResult {
  steplessClaimCheck: ClaimCheckRef;
}

/** The one activity the worker registers for all Lambda-backed steps. */
export interface LambdaActivities {
  invokeFunction(request: { function: string; input: unknown }): Promise<unknown>;
}

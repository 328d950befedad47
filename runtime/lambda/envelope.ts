/**
 * What the worker sends a Lambda function when an activity invokes it: the caller's input, and
 * where the call comes from, so the handler can log with workflow ids and deduplicate retries.
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

export interface InvocationEnvelope<I> {
  input: I;
  meta: InvocationMeta;
}

/** The one activity the worker registers for all Lambda-backed steps. */
export interface LambdaActivities {
  invokeFunction(request: { function: string; input: unknown }): Promise<unknown>;
}

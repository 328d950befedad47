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
  /**
   * Stable across retries of the same activity: `<workflowId>/<runId>/<activityId>`. The run id is
   * part of it because activity ids restart at 1 in each run: after a continue-as-new, or a new run
   * under a reused workflow id, the same workflow id and activity id name a different step.
   */
  idempotencyKey: string;
  /**
   * The declared step this call runs (its name, runtime/steps/declare.ts), which tells a function
   * running several steps which one is asked for. Absent in calls from the generic activities.
   */
  step?: string;
}

/** Present when the worker invoked the function asynchronously (`mode: 'async'`): how to report back. */
export interface AsyncCompletion {
  /** The activity's task token, base64: the function completes, fails or heartbeats the activity with it. */
  taskToken: string;
  namespace: string;
  /** The activity's heartbeat timeout: the function must heartbeat more often than this. */
  heartbeatTimeoutMs?: number;
  /** The details the previous attempt last heartbeated, if any, so a retry can resume. */
  previousHeartbeat?: unknown;
}

type EnvelopeBody<I> = { input: I } | { inputRef: ClaimCheckRef };

export type InvocationEnvelope<I> = EnvelopeBody<I> & { meta: InvocationMeta; async?: AsyncCompletion };

/** A handler's result too large to return inline: the bridge fetches it from S3 on the worker side. */
export interface ClaimCheckedResult {
  steplessClaimCheck: ClaimCheckRef;
}

export interface LambdaCallRequest {
  /** The function's logical name, mapped to the deployed function by the worker. */
  function: string;
  input: unknown;
}

/** The activities the worker registers for all Lambda-backed steps. */
export interface LambdaActivities {
  /** Invokes the function synchronously (RequestResponse) and returns its result; heartbeats while it waits. */
  invokeFunction(request: LambdaCallRequest): Promise<unknown>;
  /**
   * Invokes the function asynchronously (Event) with the activity's task token and returns at once
   * without completing: the function heartbeats and completes the activity itself, through Temporal.
   */
  startFunction(request: LambdaCallRequest): Promise<unknown>;
  /**
   * Invokes a function (name or ARN, as deployed) synchronously with `payload` as the event, no
   * envelope: a Step Functions Task. Failures carry Step Functions' error names (states-errors.ts).
   */
  invokeFunctionRaw(request: RawInvokeRequest): Promise<RawInvokeResponse>;
}

/** A Step Functions Task's call: the function as the definition names it, the payload as is. */
export interface RawInvokeRequest {
  functionName: string;
  payload: unknown;
  qualifier?: string;
}

/** What Lambda answered, for the Task's result (the `lambda:invoke` integration returns all of it). */
export interface RawInvokeResponse {
  payload: unknown;
  statusCode: number;
  executedVersion?: string;
  requestId?: string;
  headers: Record<string, string>;
}

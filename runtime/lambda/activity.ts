import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isClaimCheckRef } from '../claim-check/ref';
import { DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES, type ClaimCheckStore } from '../claim-check/store';
import type { ClaimCheckedResult, InvocationEnvelope, InvocationMeta, LambdaActivities, LambdaCallRequest, RawInvokeRequest, RawInvokeResponse } from './envelope';
import { failureFromFunctionError, failureFromInvokeError } from './failures';
import { statesFailureFromFunctionError, statesFailureFromInvokeError } from './states-errors';
import type { StepDeclaration } from '../steps/declare';

export interface LambdaActivityConfig {
  /**
   * The Lambda client. Give it `maxAttempts: 1` (the worker does) so that every retry is a
   * Temporal attempt, with the workflow's backoff, visible in the history and in `meta.attempt`;
   * the SDK's default (3 quick attempts) hides throttling and 5xx retries inside one attempt.
   */
  lambda: LambdaClient;
  /** Logical name (used by workflows) → deployed function name or ARN. */
  functions: Record<string, string>;
  /** Where inputs above `thresholdBytes` go instead of the Invoke payload (Lambda's limit is 6 MB). */
  claimChecks?: { store: ClaimCheckStore; thresholdBytes?: number };
}

/** Lambda's synchronous invoke payload limit; without a claim-check store nothing larger can be sent. */
const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024 - 1024;
/** The asynchronous (Event) invoke limit: 256 KiB, less room for the envelope. */
const LAMBDA_EVENT_PAYLOAD_LIMIT_BYTES = 256 * 1024 - 4096;

/**
 * Builds the activities that run workflow steps in Lambda:
 *
 * - `invokeFunction` (sync mode) invokes with RequestResponse and waits. It heartbeats while the call
 *   is in flight, so a worker that dies mid-call is noticed within the heartbeat timeout rather than
 *   the whole start-to-close timeout, and aborts the HTTP call if the activity is cancelled.
 * - `startFunction` (async mode) invokes with Event, hands the function the activity's task token,
 *   and returns without completing the activity (`CompleteAsyncError`), so it holds no worker slot
 *   while the function runs; the function heartbeats and completes the activity through Temporal
 *   (`asyncActivityHandler` in handler-async.ts).
 */
export function createLambdaActivities(config: LambdaActivityConfig): LambdaActivities {
  return {
    invokeFunction: (request) => invokeSync(config, request),
    startFunction: (request) => startAsync(config, request),
    invokeFunctionRaw: (request) => invokeRaw(config, request),
  };
}

/**
 * The activities a worker registers for declared steps: one per step, under the step's name (its
 * activity type), each invoking the step's function with `meta.step` set so the function knows
 * which step to run; and the generic pair, which workflows recorded before named steps replay.
 * Throws, naming every step concerned, when a declared step's function is not deployed (has no
 * entry in `config.functions`): the worker refuses to start rather than fail the step later.
 */
export function createStepActivities(config: LambdaActivityConfig, steps: Iterable<StepDeclaration>): Record<string, (input: never) => Promise<unknown>> {
  const activities: Record<string, (input: never) => Promise<unknown>> = { ...createLambdaActivities(config) };
  const missing: string[] = [];
  for (const step of steps) {
    if (config.functions[step.functionName] === undefined) missing.push(`${step.name} (function ${step.functionName})`);
    const run = step.mode === 'async' ? startAsync : invokeSync;
    activities[step.name] = (input: unknown) => run(config, { function: step.functionName, input }, step.name);
  }
  if (missing.length > 0) {
    throw new Error(
      `no deployed Lambda function for the declared step(s) ${missing.join(', ')}; the worker's function map (STEPLESS_FUNCTIONS, from the stack's WorkerFunctions output) has: ${Object.keys(config.functions).join(', ') || '(none)'}. Deploy the stack (npm run deploy:local, or cdk deploy) and restart the worker`,
    );
  }
  return activities;
}

async function invokeSync(config: LambdaActivityConfig, request: LambdaCallRequest, step?: string): Promise<unknown> {
  const ctx = Context.current();
  const { name, functionName, meta } = callOf(config, request, step);
  // Heartbeat for the whole attempt, S3 transfers of large payloads included, so a dead worker is
  // noticed within the heartbeat timeout rather than the whole start-to-close timeout. A local
  // activity (a `local: true` step) has no heartbeat: its worker is the one running the workflow.
  const heartbeatMs = Math.max(1000, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30000) / 3));
  const ticker = ctx.info.isLocal ? undefined : setInterval(() => ctx.heartbeat(), heartbeatMs);
  try {
    const envelope = await buildEnvelope(name, request.input, meta, config.claimChecks, LAMBDA_PAYLOAD_LIMIT_BYTES);
    // ctx.log carries workflowId, runId and activityId, so these lines join the Lambda's own in one timeline.
    ctx.log.info('invoking Lambda function', { function: name, functionName, step: step ?? null, attempt: meta.attempt });
    const started = Date.now();
    const response = await send(config, name, functionName, envelope, 'RequestResponse');
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    const outcome = { function: name, step: step ?? null, durationMs: Date.now() - started, responseBytes: text.length };
    if (response.FunctionError !== undefined) {
      const failure = failureFromFunctionError(name, text);
      ctx.log.warn('Lambda function failed', { ...outcome, errorType: failure.type, nonRetryable: failure.nonRetryable, error: failure.message });
      throw failure;
    }
    ctx.log.info('Lambda function returned', outcome);
    const result = text === '' ? undefined : (JSON.parse(text) as unknown);
    return await resolveResult(result, config.claimChecks?.store);
  } finally {
    clearInterval(ticker);
  }
}

/**
 * A Step Functions Task's Invoke: the payload as the event (functions written for Step Functions
 * expect exactly that), the function as the definition names it. Heartbeats while in flight, so a
 * state's HeartbeatSeconds bounds how long a dead worker goes unnoticed.
 */
async function invokeRaw(config: LambdaActivityConfig, request: RawInvokeRequest): Promise<RawInvokeResponse> {
  const ctx = Context.current();
  // The interpreter holds payloads to Step Functions' 256 KiB before they get here.
  const bytes = Buffer.from(JSON.stringify(request.payload ?? {}));
  const heartbeatMs = Math.max(1000, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30000) / 3));
  const ticker = setInterval(() => ctx.heartbeat(), heartbeatMs);
  try {
    ctx.log.info('invoking Lambda function (Step Functions task)', { functionName: request.functionName, qualifier: request.qualifier ?? null, attempt: ctx.info.attempt });
    let response;
    try {
      response = await config.lambda.send(
        new InvokeCommand({ FunctionName: request.functionName, Qualifier: request.qualifier, InvocationType: 'RequestResponse', Payload: bytes }),
        { abortSignal: ctx.cancellationSignal },
      );
    } catch (err) {
      if (ctx.cancellationSignal.aborted) throw err;
      const failure = statesFailureFromInvokeError(err);
      ctx.log.warn('Lambda Invoke call failed', { functionName: request.functionName, errorType: failure.type, error: failure.message });
      throw failure;
    }
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    if (response.FunctionError !== undefined) {
      const failure = statesFailureFromFunctionError(text);
      ctx.log.warn('Lambda function failed', { functionName: request.functionName, errorType: failure.type });
      throw failure;
    }
    const requestId = response.$metadata.requestId;
    return {
      payload: text === '' ? null : (JSON.parse(text) as unknown),
      statusCode: response.StatusCode ?? 200,
      ...(response.ExecutedVersion !== undefined ? { executedVersion: response.ExecutedVersion } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
      headers: {
        ...(requestId !== undefined ? { 'x-amzn-RequestId': requestId } : {}),
        ...(response.ExecutedVersion !== undefined ? { 'X-Amz-Executed-Version': response.ExecutedVersion } : {}),
      },
    };
  } finally {
    clearInterval(ticker);
  }
}

async function startAsync(config: LambdaActivityConfig, request: LambdaCallRequest, step?: string): Promise<unknown> {
  const ctx = Context.current();
  const { name, functionName, meta } = callOf(config, request, step);
  const envelope = await buildEnvelope(name, request.input, meta, config.claimChecks, LAMBDA_EVENT_PAYLOAD_LIMIT_BYTES);
  envelope.async = {
    taskToken: Buffer.from(ctx.info.taskToken).toString('base64'),
    namespace: ctx.info.activityNamespace,
    ...(ctx.info.heartbeatTimeoutMs ? { heartbeatTimeoutMs: ctx.info.heartbeatTimeoutMs } : {}),
    ...(ctx.info.heartbeatDetails !== undefined ? { previousHeartbeat: ctx.info.heartbeatDetails as unknown } : {}),
  };
  if (ctx.info.heartbeatTimeoutMs === undefined) {
    ctx.log.warn('async Lambda step without a heartbeat timeout: a function that dies is only noticed at the start-to-close timeout', { function: name });
  }
  const response = await send(config, name, functionName, envelope, 'Event');
  if (response.StatusCode !== 202) {
    throw ApplicationFailure.retryable(`${name}: asynchronous Invoke answered ${response.StatusCode ?? 'no status'}, expected 202`, 'LambdaInvokeError');
  }
  ctx.log.info('Lambda function started asynchronously; it completes the activity itself', { function: name, functionName, step: step ?? null, attempt: meta.attempt });
  throw new CompleteAsyncError();
}

function callOf(config: LambdaActivityConfig, request: LambdaCallRequest, step: string | undefined): { name: string; functionName: string; meta: InvocationMeta } {
  const ctx = Context.current();
  const name = request.function;
  const functionName = config.functions[name];
  if (functionName === undefined) {
    throw ApplicationFailure.nonRetryable(
      `no Lambda function is configured for the logical name "${name}"; known: ${Object.keys(config.functions).join(', ') || '(none)'}`,
      'UnknownFunction',
    );
  }
  const { workflowExecution, activityId, attempt } = ctx.info;
  if (workflowExecution === undefined) {
    throw ApplicationFailure.nonRetryable('Lambda activities run only as workflow activities', 'InvalidInvocation');
  }
  const meta: InvocationMeta = {
    workflowId: workflowExecution.workflowId,
    runId: workflowExecution.runId,
    activityId,
    attempt,
    idempotencyKey: `${workflowExecution.workflowId}/${workflowExecution.runId}/${activityId}`,
    ...(step !== undefined ? { step } : {}),
  };
  return { name, functionName, meta };
}

/** One Invoke call; an SDK error becomes a typed failure (see failures.ts), a cancellation stays one. */
async function send(config: LambdaActivityConfig, name: string, functionName: string, envelope: InvocationEnvelope<unknown>, type: 'RequestResponse' | 'Event') {
  const ctx = Context.current();
  try {
    return await config.lambda.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: type, Payload: Buffer.from(JSON.stringify(envelope)) }),
      { abortSignal: ctx.cancellationSignal },
    );
  } catch (err) {
    if (ctx.cancellationSignal.aborted) throw err; // the SDK's AbortError: the worker reports the cancellation
    const failure = failureFromInvokeError(name, err);
    ctx.log.warn('Lambda Invoke call failed', { function: name, errorType: failure.type, nonRetryable: failure.nonRetryable, error: failure.message });
    throw failure;
  }
}

async function buildEnvelope(
  name: string,
  input: unknown,
  meta: InvocationMeta,
  claimChecks: LambdaActivityConfig['claimChecks'],
  limitBytes: number,
): Promise<InvocationEnvelope<unknown>> {
  const bytes = Buffer.from(JSON.stringify(input) ?? 'null');
  const threshold = Math.min(claimChecks?.thresholdBytes ?? DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES, limitBytes);
  if (claimChecks !== undefined && bytes.byteLength > threshold) {
    return { inputRef: await claimChecks.store.put(bytes), meta };
  }
  if (bytes.byteLength > limitBytes) {
    throw ApplicationFailure.nonRetryable(
      `${name}: input is ${bytes.byteLength} bytes, over Lambda's ${limitBytes === LAMBDA_PAYLOAD_LIMIT_BYTES ? '6 MB' : '256 KiB asynchronous'} invoke limit; configure a claim-check bucket (CLAIM_CHECK_BUCKET) so large inputs go through S3`,
      'PayloadTooLarge',
    );
  }
  return { input, meta };
}

/** A result the handler stored in S3 (see runtime/lambda/handler.ts) is fetched and verified here. */
async function resolveResult(result: unknown, store: ClaimCheckStore | undefined): Promise<unknown> {
  if (result === null || typeof result !== 'object' || !('steplessClaimCheck' in result)) return result;
  const ref = (result as ClaimCheckedResult).steplessClaimCheck;
  if (!isClaimCheckRef(ref)) return result;
  if (store === undefined) {
    throw ApplicationFailure.nonRetryable('the function returned a claim-checked result but the worker has no claim-check store configured', 'ClaimCheckNotConfigured');
  }
  return JSON.parse(Buffer.from(await store.get(ref)).toString('utf8')) as unknown;
}

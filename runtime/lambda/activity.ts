import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isClaimCheckRef } from '../claim-check/ref';
import { DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES, type ClaimCheckStore } from '../claim-check/store';
import type { ClaimCheckedResult, InvocationEnvelope, InvocationMeta, LambdaActivities } from './envelope';

export interface LambdaActivityConfig {
  lambda: LambdaClient;
  /** Logical name (used by workflows) → deployed function name or ARN. */
  functions: Record<string, string>;
  /** Where inputs above `thresholdBytes` go instead of the Invoke payload (Lambda's limit is 6 MB). */
  claimChecks?: { store: ClaimCheckStore; thresholdBytes?: number };
}

/** Lambda's synchronous invoke payload limit; without a claim-check store nothing larger can be sent. */
const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024 - 1024;

/** The error body Lambda returns with `FunctionError` set. */
interface LambdaErrorPayload {
  errorType?: string;
  errorMessage?: string;
  stackTrace?: string[];
}

/**
 * Builds the activity that runs a workflow step in Lambda. It heartbeats while the call is in
 * flight, so a worker that dies mid-call is noticed within the heartbeat timeout rather than the
 * whole start-to-close timeout, and aborts the HTTP call if the activity is cancelled.
 */
export function createLambdaActivities(config: LambdaActivityConfig): LambdaActivities {
  return {
    async invokeFunction({ function: name, input }) {
      const ctx = Context.current();
      const functionName = config.functions[name];
      if (functionName === undefined) {
        throw ApplicationFailure.nonRetryable(
          `no Lambda function is configured for the logical name "${name}"; known: ${Object.keys(config.functions).join(', ') || '(none)'}`,
          'UnknownFunction',
        );
      }
      const { workflowExecution, activityId, attempt } = ctx.info;
      if (workflowExecution === undefined) {
        throw ApplicationFailure.nonRetryable('invokeFunction runs only as a workflow activity', 'InvalidInvocation');
      }
      const meta: InvocationMeta = {
        workflowId: workflowExecution.workflowId,
        runId: workflowExecution.runId,
        activityId,
        attempt,
        idempotencyKey: `${workflowExecution.workflowId}/${activityId}`,
      };
      // Heartbeat for the whole attempt, S3 transfers of large payloads included, so a dead worker is
      // noticed within the heartbeat timeout rather than the whole start-to-close timeout.
      const heartbeatMs = Math.max(1000, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30000) / 3));
      const ticker = setInterval(() => ctx.heartbeat(), heartbeatMs);
      try {
        const envelope = await buildEnvelope(name, input, meta, config.claimChecks);
        // ctx.log carries workflowId, runId and activityId, so these lines join the Lambda's own in one timeline.
        ctx.log.info('invoking Lambda function', { function: name, functionName, attempt });
        const started = Date.now();
        const response = await config.lambda.send(
          new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(envelope)) }),
          { abortSignal: ctx.cancellationSignal },
        );
        const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
        const outcome = { function: name, durationMs: Date.now() - started, responseBytes: text.length };
        if (response.FunctionError !== undefined) {
          const failure = toFailure(name, text);
          ctx.log.warn('Lambda function failed', { ...outcome, errorType: failure.type, error: failure.message });
          throw failure;
        }
        ctx.log.info('Lambda function returned', outcome);
        const result = text === '' ? undefined : (JSON.parse(text) as unknown);
        return await resolveResult(result, config.claimChecks?.store);
      } finally {
        clearInterval(ticker);
      }
    },
  };
}

async function buildEnvelope(
  name: string,
  input: unknown,
  meta: InvocationMeta,
  claimChecks: LambdaActivityConfig['claimChecks'],
): Promise<InvocationEnvelope<unknown>> {
  const bytes = Buffer.from(JSON.stringify(input) ?? 'null');
  if (claimChecks !== undefined && bytes.byteLength > (claimChecks.thresholdBytes ?? DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES)) {
    return { inputRef: await claimChecks.store.put(bytes), meta };
  }
  if (bytes.byteLength > LAMBDA_PAYLOAD_LIMIT_BYTES) {
    throw ApplicationFailure.nonRetryable(
      `${name}: input is ${bytes.byteLength} bytes, over Lambda's 6 MB invoke limit; configure a claim-check bucket (CLAIM_CHECK_BUCKET) so large inputs go through S3`,
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

/**
 * A function error becomes an ApplicationFailure whose type is the handler's error name, so a
 * workflow (or its retry policy's `nonRetryableErrorTypes`) can tell a declined payment from a crash.
 */
function toFailure(name: string, payloadText: string): ApplicationFailure {
  let payload: LambdaErrorPayload = {};
  try {
    payload = JSON.parse(payloadText) as LambdaErrorPayload;
  } catch {
    payload = { errorMessage: payloadText };
  }
  const type = payload.errorType ?? 'LambdaFunctionError';
  return ApplicationFailure.create({
    type,
    message: `${name}: ${payload.errorMessage ?? 'function failed'}`,
    details: payload.stackTrace ? [{ stackTrace: payload.stackTrace }] : undefined,
  });
}

import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { InvocationEnvelope, LambdaActivities } from './envelope';

export interface LambdaActivityConfig {
  lambda: LambdaClient;
  /** Logical name (used by workflows) → deployed function name or ARN. */
  functions: Record<string, string>;
}

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
      const envelope: InvocationEnvelope<unknown> = {
        input,
        meta: {
          workflowId: workflowExecution.workflowId,
          runId: workflowExecution.runId,
          activityId,
          attempt,
          idempotencyKey: `${workflowExecution.workflowId}/${activityId}`,
        },
      };
      // ctx.log carries workflowId, runId and activityId, so these lines join the Lambda's own in one timeline.
      ctx.log.info('invoking Lambda function', { function: name, functionName, attempt });
      const started = Date.now();
      const heartbeatMs = Math.max(1000, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30000) / 3));
      const ticker = setInterval(() => ctx.heartbeat(), heartbeatMs);
      let response: InvokeCommandOutput;
      try {
        response = await config.lambda.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'RequestResponse',
            Payload: Buffer.from(JSON.stringify(envelope)),
          }),
          { abortSignal: ctx.cancellationSignal },
        );
      } finally {
        clearInterval(ticker);
      }
      const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
      const outcome = { function: name, durationMs: Date.now() - started, responseBytes: text.length };
      if (response.FunctionError !== undefined) {
        const failure = toFailure(name, text);
        ctx.log.warn('Lambda function failed', { ...outcome, errorType: failure.type, error: failure.message });
        throw failure;
      }
      ctx.log.info('Lambda function returned', outcome);
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    },
  };
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

import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { LambdaActivities } from './envelope';

export interface LambdaFunctionOptions extends ActivityOptions {
  /**
   * `sync` (default): the worker invokes the function (RequestResponse) and waits for its result,
   * heartbeating meanwhile; one worker activity slot is busy for the whole call.
   *
   * `async`: the worker invokes it with InvocationType Event and lets go at once; the function
   * (written with `asyncActivityHandler`) heartbeats and completes the activity itself through
   * Temporal, so long work holds no worker slot. Set a `heartbeatTimeout` (a dead function is
   * noticed within it) and a `startToCloseTimeout` that covers the whole run (at most the
   * function's own timeout, 15 minutes on Lambda).
   */
  mode?: 'sync' | 'async';
}

/**
 * A Lambda function as a typed workflow step:
 *
 *   const textStats = lambdaFunction<TextStatsInput, TextStatsResult>('textStats', { startToCloseTimeout: '1 minute' });
 *   const result = await textStats({ jobId, text });
 *
 * `name` is the function's logical name; the worker maps it to the deployed function, so workflow
 * code never holds an ARN. Timeouts and retry policy are ordinary Temporal activity options.
 * Failures arrive as `ActivityFailure` whose cause is an `ApplicationFailure` typed with the
 * handler's error name (`PaymentDeclined`), Lambda's (`Runtime.ExitError`, `Sandbox.Timedout`) or
 * the Invoke API's (`TooManyRequestsException`); see docs/lambda-activities.md.
 */
export function lambdaFunction<I, O>(name: string, options: LambdaFunctionOptions): (input: I) => Promise<O> {
  const { mode = 'sync', ...activityOptions } = options;
  const activities = proxyActivities<LambdaActivities>({
    heartbeatTimeout: '30 seconds',
    ...activityOptions,
  });
  const call = mode === 'async' ? activities.startFunction : activities.invokeFunction;
  return async (input: I) => (await call({ function: name, input })) as O;
}

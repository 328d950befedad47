import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { LambdaActivities } from './envelope';

/**
 * A Lambda function as a typed workflow step:
 *
 *   const textStats = lambdaFunction<TextStatsInput, TextStatsResult>('textStats', { startToCloseTimeout: '1 minute' });
 *   const result = await textStats({ jobId, text });
 *
 * `name` is the function's logical name; the worker maps it to the deployed function, so workflow
 * code never holds an ARN. Timeouts and retry policy are ordinary Temporal activity options.
 */
export function lambdaFunction<I, O>(name: string, options: ActivityOptions): (input: I) => Promise<O> {
  const { invokeFunction } = proxyActivities<LambdaActivities>({
    heartbeatTimeout: '30 seconds',
    ...options,
  });
  return async (input: I) => (await invokeFunction({ function: name, input })) as O;
}

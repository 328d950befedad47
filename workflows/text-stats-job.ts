import { log } from '@temporalio/workflow';
import { lambdaFunction } from '../runtime/lambda/workflow';
import type { TextStatsInput, TextStatsResult } from '../lambdas/text-stats/contract';

/**
 * The walking skeleton: one durable step that runs in Lambda. Retries, timeouts and crash
 * recovery are Temporal's; the work is the function's.
 */
const textStats = lambdaFunction<TextStatsInput, TextStatsResult>('textStats', {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidInvocation'] },
});

export async function textStatsJob(input: TextStatsInput): Promise<TextStatsResult> {
  log.info('text-stats job started', { jobId: input.jobId, characters: input.text.length });
  const result = await textStats(input);
  log.info('text-stats job finished', { jobId: input.jobId, words: result.words });
  return result;
}

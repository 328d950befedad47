import { lambdaFunction } from '../../runtime/lambda/workflow';
import type { TextStatsInput, TextStatsResult } from '../../lambdas/text-stats/contract';

const textStats = lambdaFunction<TextStatsInput, TextStatsResult>('textStats', { startToCloseTimeout: '1 minute' });

/** `steps` Lambda-backed activities in sequence: the benchmark's unit of work. */
export async function sequentialLambdaSteps(steps: number): Promise<number> {
  let words = 0;
  for (let i = 0; i < steps; i++) words += (await textStats({ jobId: `bench-${i}`, text: 'one two three four five' })).words;
  return words;
}

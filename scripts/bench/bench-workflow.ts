import { textStats } from '../../lambdas/text-stats/steps';
import { step } from '../../runtime/steps/workflow';

const options = { startToCloseTimeout: '1 minute' } as const;
const computeTextStats = step(textStats.steps.compute, options);
const computeTextStatsLocally = step(textStats.steps.compute, { ...options, local: true });

/** `steps` Lambda steps in sequence, as activities (`sync`) or local activities: the benchmark's unit of work. */
export async function sequentialLambdaSteps(steps: number, mode: 'sync' | 'local' = 'sync'): Promise<number> {
  const compute = mode === 'local' ? computeTextStatsLocally : computeTextStats;
  let words = 0;
  for (let i = 0; i < steps; i++) words += (await compute({ jobId: `bench-${i}`, text: 'one two three four five' })).words;
  return words;
}

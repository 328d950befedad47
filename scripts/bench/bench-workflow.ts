import { textStats } from '../../lambdas/text-stats/steps';
import { step } from '../../runtime/steps/workflow';

const computeTextStats = step(textStats.steps.compute, { startToCloseTimeout: '1 minute' });

/** `steps` Lambda-backed activities in sequence: the benchmark's unit of work. */
export async function sequentialLambdaSteps(steps: number): Promise<number> {
  let words = 0;
  for (let i = 0; i < steps; i++) words += (await computeTextStats({ jobId: `bench-${i}`, text: 'one two three four five' })).words;
  return words;
}

import { log } from '@temporalio/workflow';
import { auditLog } from '../runtime/audit/workflow';
import { step } from '../runtime/steps/workflow';
import { textStats, type TextStatsInput, type TextStatsResult } from '../lambdas/text-stats/steps';

/**
 * The walking skeleton: one durable step that runs in Lambda. Retries, timeouts and crash
 * recovery are Temporal's; the work is the function's. Each stage is recorded in the workflow's
 * audit log (log id = workflow id): started with the input's digest, the step with its input and
 * output digests, then completed (or failed), whose tree head is also checkpointed in the global log.
 */
const computeTextStats = step(textStats.steps.compute, {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidInvocation'] },
});

const audit = auditLog();

export async function textStatsJob(input: TextStatsInput): Promise<TextStatsResult> {
  log.info('text-stats job started', { jobId: input.jobId, characters: input.text.length });
  const started = await audit.record('workflow.started', { workflowType: 'textStatsJob', jobId: input.jobId }, { digests: { inputSha256: input } });
  let result: TextStatsResult;
  try {
    result = await computeTextStats(input);
  } catch (err) {
    await audit.record('workflow.failed', { error: err instanceof Error ? err.message : String(err) }, { checkpoint: true });
    throw err;
  }
  const step = await audit.record('step.completed', { step: 'textStats', function: 'textStats', inputSha256: started.digests.inputSha256 ?? null }, { digests: { outputSha256: result } });
  await audit.record('workflow.completed', { resultSha256: step.digests.outputSha256 ?? null }, { checkpoint: true });
  log.info('text-stats job finished', { jobId: input.jobId, words: result.words });
  return result;
}

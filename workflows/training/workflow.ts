import { continueAsNew } from '@temporalio/workflow';
import { workflowAudit } from '../lib/audit';
import { invalidInput } from '../lib/invalid-input';
import { trainingRequestProblem } from './defaults';
import { TRAINING_LEGACY_AUDIT } from './names';
import { TrainingRun, type TrainingCarry } from './run';
import type { TrainingRequest, TrainingResult } from './types';

/**
 * Trains a model one epoch per Lambda invocation, as its state diagram: PREPARING (dataset; the
 * checkpoint to resume from) → TRAINING, epoch by epoch → CHECKPOINT every `checkpointEvery`
 * epochs and after the last → AWAITING_DECISION every `reviewEvery` epochs (continue, adjust or
 * stop) → continue as new every `maxEpochsPerRun` epochs (or when Temporal suggests it), state
 * carried over → COMPLETED or STOPPED; FAILED or CANCELLED from anywhere. Each phase is a method of
 * TrainingRun (run.ts). See docs/workflows/training.md.
 */
export async function trainingWorkflow(request: TrainingRequest, carry?: TrainingCarry): Promise<TrainingResult> {
  // The API validates requests with its schema; clients that start the workflow directly get the same rules here.
  const invalid = trainingRequestProblem(request);
  if (invalid) throw invalidInput('InvalidTrainingInput', 'invalid training request', invalid);
  // A continued run keeps the naming scheme its training started with.
  const audit = carry ? workflowAudit('training', TRAINING_LEGACY_AUDIT, carry.auditCurrent ?? false) : workflowAudit('training', TRAINING_LEGACY_AUDIT);
  const training = new TrainingRun(request, audit, carry);
  try {
    if (!carry) await training.prepare();
    while (training.training) {
      const next = await training.trainEpoch();
      if (next.checkpoint) await training.checkpoint();
      if (next.review) await training.review();
      if (training.runIsFull) await continueAsNew<typeof trainingWorkflow>(request, await training.carry());
    }
    return await training.finish();
  } catch (err) {
    return training.fail(err);
  }
}

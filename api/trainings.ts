import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { checkpointStore, summarize, trainingBucket } from '../lambdas/shared/ml/storage';
import { TRAINING_MESSAGES, TRAINING_WORKFLOW } from '../workflows/training/names';
import type { DecisionInput, TrainingRequest, TrainingState } from '../workflows/training/types';
import { HttpError, json } from './http';
import type { Handlers } from './router';
import type { trainingSpecs } from './specs/trainings';
import { existingWorkflow, requestIdOf, runUpdate, startWorkflow, workflowStatus, type ResourceKind } from './workflow-calls';

const training: ResourceKind = { noun: 'training', idField: 'trainingId', collection: '/trainings' };

let s3: S3Client | undefined;
async function listCheckpoints(modelId: string) {
  s3 ??= new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  return (await checkpointStore(s3, trainingBucket()).list(modelId)).map(summarize);
}

/** What the training routes (specs/trainings.ts) do: start, read and steer the training workflow, and list checkpoints. */
export const trainingHandlers: Handlers<typeof trainingSpecs> = {
  start: ({ event, body }) => {
    const trainingId = body.trainingId ?? randomUUID();
    const request: TrainingRequest = { ...body, trainingId };
    return startWorkflow(event, training, { id: trainingId, workflowType: TRAINING_WORKFLOW, args: [request], extra: { modelId: body.modelId } });
  },
  status: ({ params }) => workflowStatus(training, params.trainingId!, TRAINING_MESSAGES.stateQuery),
  decision: ({ event, params, body }) => {
    const decision: DecisionInput = { ...body, requestId: requestIdOf(event, 'decision', body) };
    return runUpdate(training, params.trainingId!, TRAINING_MESSAGES.decisionUpdate, decision, 'decide');
  },
  checkpoints: async ({ params }) => {
    const { handle } = await existingWorkflow(training, params.trainingId!);
    let modelId: string;
    try {
      modelId = (await handle.query<TrainingState>(TRAINING_MESSAGES.stateQuery)).modelId;
    } catch (err) {
      throw new HttpError(503, `could not read the training's model id (is a worker running?): ${(err as Error).message}`);
    }
    return json(200, { trainingId: params.trainingId, modelId, checkpoints: await listCheckpoints(modelId) });
  },
  modelCheckpoints: async ({ params }) => json(200, { modelId: params.modelId, checkpoints: await listCheckpoints(params.modelId!) }),
};

import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { evaluateModel as evaluateModelFunction, type EvaluateModelResult } from '../../lambdas/evaluate-model/steps';
import type { TrainingCheckpointMetadata, DatasetRef, StateRef } from '../../lambdas/shared/ml/types';
import { trainEpoch as trainEpochFunction, type TrainEpochResult } from '../../lambdas/train-epoch/steps';
import { trainingData } from '../../lambdas/training-data/steps';
import { auditLog } from '../../runtime/audit/workflow';
import { step, type StepOptions } from '../../runtime/steps/workflow';
import { acceptDecisions } from '../lib/decisions';
import {
  decisionSignal,
  decisionUpdate,
  trainingStateQuery,
  type DecisionInput,
  type DecisionRecord,
  type DecisionResult,
  type Hyperparameters,
  type TrainingRequest,
  type TrainingResult,
  type TrainingState,
} from './definitions';
import { parseDurationMs } from './duration';
import { hyperparameterProblem } from './hyperparameters';
import { fnv1a32 } from './seed';

/** Defaults of every optional setting of a training request (docs/workflows/training.md lists them). */
export const TRAINING_DEFAULTS = {
  hiddenUnits: 16,
  momentum: 0.9,
  l2: 0,
  reviewTimeout: '24h',
  reviewTimeoutAction: 'continue' as const,
  maxEpochsPerRun: 100,
  /** Attempts of one epoch before the training fails (retryable errors, 1 s then 2 s backoff). */
  epochAttempts: 3,
};

const trainEpoch = step(trainEpochFunction.steps.train, {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: TRAINING_DEFAULTS.epochAttempts, nonRetryableErrorTypes: ['InvalidInvocation'] },
});
const evaluateModel = step(evaluateModelFunction.steps.evaluate, {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidInvocation'] },
});
const trainingDataOptions: StepOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidInvocation'] },
};
const prepareDataset = step(trainingData.steps.prepareDataset, trainingDataOptions);
const saveTrainingCheckpoint = step(trainingData.steps.saveCheckpoint, trainingDataOptions);
const resolveTrainingCheckpoint = step(trainingData.steps.resolveCheckpoint, trainingDataOptions);
const audit = auditLog();

/** What one run hands the next through continue-as-new (besides the request). */
export interface TrainingCarry {
  state: TrainingState;
  dataset: DatasetRef;
  stateRef: StateRef | null;
  lastEpoch: TrainEpochResult | null;
  lastEvaluation: EvaluateModelResult | null;
  lastCheckpointId: string | null;
  lastCheckpointEpoch: number;
  rootsSinceCheckpoint: Record<string, string>;
  processed: Array<[string, DecisionResult]>;
}

function initialState(request: TrainingRequest): TrainingState {
  return {
    trainingId: request.trainingId,
    modelId: request.modelId,
    status: 'PREPARING',
    epoch: 0,
    totalEpochs: request.epochs,
    seed: request.seed ?? fnv1a32(workflowInfo().workflowId),
    hiddenUnits: request.hiddenUnits ?? TRAINING_DEFAULTS.hiddenUnits,
    hyperparameters: withDefaults(request.hyperparameters ?? { learningRate: 0.1, batchSize: 32 }),
    datasetId: null,
    losses: [],
    bestLoss: null,
    bestEpoch: null,
    accuracy: null,
    evaluations: [],
    checkpoints: [],
    decisions: [],
    review: null,
    resumedFrom: null,
    weightsSha256: null,
    run: 1,
    error: null,
  };
}

function requestProblem(r: TrainingRequest): string | undefined {
  const positiveInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
  if (typeof r?.trainingId !== 'string' || typeof r.modelId !== 'string' || r.modelId === '') return 'trainingId and modelId must be strings';
  if (!positiveInt(r.epochs)) return 'epochs must be a positive integer';
  if (!positiveInt(r.checkpointEvery)) return 'checkpointEvery must be a positive integer';
  if (r.reviewEvery !== undefined && !positiveInt(r.reviewEvery)) return 'reviewEvery must be a positive integer';
  if (r.maxEpochsPerRun !== undefined && !positiveInt(r.maxEpochsPerRun)) return 'maxEpochsPerRun must be a positive integer';
  if (r.seed !== undefined && !(Number.isSafeInteger(r.seed) && r.seed >= 0)) return 'seed must be an integer in 0..2^53-1';
  if (r.hyperparameters === undefined && r.resumeFrom === undefined) return 'hyperparameters are required unless resumeFrom is given';
  if (r.hyperparameters !== undefined && (r.hyperparameters.learningRate === undefined || r.hyperparameters.batchSize === undefined)) return 'hyperparameters need learningRate and batchSize';
  return r.hyperparameters === undefined ? undefined : hyperparameterProblem(r.hyperparameters);
}

function withDefaults(hp: Hyperparameters): Hyperparameters {
  return { learningRate: hp.learningRate, batchSize: hp.batchSize, momentum: hp.momentum ?? TRAINING_DEFAULTS.momentum, l2: hp.l2 ?? TRAINING_DEFAULTS.l2 };
}

/**
 * Trains a model one epoch per Lambda invocation, checkpointing to S3 every `checkpointEvery`
 * epochs, pausing for a researcher's decision every `reviewEvery` epochs, resuming from a saved
 * checkpoint on request, and continuing as new every `maxEpochsPerRun` epochs (or when Temporal
 * suggests it) with its state carried over. See docs/workflows/training.md.
 */
export async function trainingWorkflow(request: TrainingRequest, carry?: TrainingCarry): Promise<TrainingResult> {
  // The API validates requests with its schema; clients that start the workflow directly get the same rules here.
  const invalid = requestProblem(request);
  if (invalid) throw ApplicationFailure.nonRetryable(`invalid training request: ${invalid}`, 'InvalidTrainingInput');
  const state: TrainingState = carry?.state ?? initialState(request);
  const processed = new Map<string, DecisionResult>(carry?.processed ?? []);
  let dataset = carry?.dataset;
  let stateRef = carry?.stateRef ?? null;
  let lastEpoch = carry?.lastEpoch ?? null;
  let lastEvaluation = carry?.lastEvaluation ?? null;
  let lastCheckpointId = carry?.lastCheckpointId ?? null;
  let lastCheckpointEpoch = carry?.lastCheckpointEpoch ?? -1;
  let roots: Record<string, string> = carry?.rootsSinceCheckpoint ?? {};
  let pending: DecisionRecord | undefined;

  const reviewTimeoutMs = parseDurationMs(request.reviewTimeout ?? TRAINING_DEFAULTS.reviewTimeout);
  if (reviewTimeoutMs === undefined) throw ApplicationFailure.nonRetryable(`reviewTimeout "${request.reviewTimeout}" is not a duration like "24h"`, 'InvalidTrainingInput');
  const timeoutAction = request.reviewTimeoutAction ?? TRAINING_DEFAULTS.reviewTimeoutAction;

  setHandler(trainingStateQuery, () => state);

  acceptDecisions<DecisionInput, DecisionResult>({
    name: 'decision',
    update: decisionUpdate,
    signal: decisionSignal,
    processed,
    problem: (d) => {
      if (typeof d !== 'object' || d === null) return 'a decision must be an object';
      if (typeof d.requestId !== 'string' || d.requestId === '') return 'the decision has no requestId';
      if (state.status !== 'AWAITING_DECISION' || pending !== undefined || state.review === null) {
        return `training "${state.trainingId}" is not awaiting a decision (status ${state.status}, epoch ${state.epoch} of ${state.totalEpochs})`;
      }
      if (!['continue', 'adjust', 'stop'].includes(d.action)) return `unknown action "${String(d.action)}": use continue, adjust or stop`;
      if (d.action === 'adjust') {
        if (typeof d.hyperparameters !== 'object' || d.hyperparameters === null || Object.keys(d.hyperparameters).length === 0) {
          return 'action "adjust" needs hyperparameters to change';
        }
        return hyperparameterProblem(d.hyperparameters);
      }
      if (d.hyperparameters !== undefined) return `hyperparameters apply only to action "adjust", not "${d.action}"`;
      return undefined;
    },
    take: (d) => {
      const record: DecisionRecord = {
        epoch: state.epoch,
        action: d.action,
        source: 'researcher',
        requestId: d.requestId,
        reason: d.reason ?? null,
        hyperparameters: d.action === 'adjust' ? { ...state.hyperparameters, ...d.hyperparameters } : null,
        appliedFromEpoch: d.action === 'adjust' ? state.epoch + 1 : null,
        at: new Date().toISOString(),
      };
      pending = record;
      state.decisions.push(record);
      return { trainingId: state.trainingId, accepted: true, duplicate: false, decision: record };
    },
  });

  const saveCheckpoint = async (epochResult: TrainEpochResult): Promise<void> => {
    if (!dataset || !stateRef) throw new Error('nothing to checkpoint');
    const metadata: TrainingCheckpointMetadata = {
      trainingId: state.trainingId,
      workflowId: workflowInfo().workflowId,
      modelId: state.modelId,
      datasetId: dataset.datasetId,
      epoch: epochResult.epoch,
      seed: state.seed,
      model: epochResult.model,
      hyperparameters: state.hyperparameters,
      optimizer: { kind: 'sgd-momentum', state: 'velocity per parameter, in the blob after the weights' },
      rng: { algorithm: 'splitmix64', seed: state.seed, nextEpoch: epochResult.epoch + 1, derivation: 'shuffle of epoch e = stream(seed, Shuffle=2, e)', lastShuffleState: epochResult.shuffleState },
      metrics: {
        loss: epochResult.loss,
        accuracy: lastEvaluation?.accuracy ?? null,
        testLoss: lastEvaluation?.loss ?? null,
        bestLoss: state.bestLoss ?? epochResult.loss,
      },
      sampleMerkleRoot: epochResult.sampleMerkleRoot,
      sampleMerkleRoots: roots,
      weightsSha256: epochResult.weightsSha256,
      state: stateRef,
    };
    const saved = await saveTrainingCheckpoint({ modelId: state.modelId, epoch: epochResult.epoch, state: stateRef, parent: lastCheckpointId, metadata });
    state.checkpoints.push(saved);
    lastCheckpointId = saved.checkpointId;
    lastCheckpointEpoch = epochResult.epoch;
    await audit.record('training.checkpoint', {
      trainingId: state.trainingId,
      modelId: state.modelId,
      epoch: epochResult.epoch,
      checkpointId: saved.checkpointId,
      blobSha256: saved.blob.sha256,
      sampleMerkleRoot: epochResult.sampleMerkleRoot,
      sampleMerkleRoots: roots,
      weightsSha256: epochResult.weightsSha256,
      loss: epochResult.loss,
      accuracy: lastEvaluation?.accuracy ?? null,
    });
    roots = {};
  };

  const review = async (epoch: number): Promise<DecisionRecord> => {
    state.status = 'AWAITING_DECISION';
    state.review = { epoch, deadline: new Date(Date.now() + reviewTimeoutMs).toISOString(), timeoutAction };
    const decided = await condition(() => pending !== undefined, reviewTimeoutMs);
    let record: DecisionRecord;
    if (decided && pending) {
      record = pending;
    } else {
      record = {
        epoch,
        action: timeoutAction,
        source: 'timeout',
        requestId: null,
        reason: `no decision within ${request.reviewTimeout ?? TRAINING_DEFAULTS.reviewTimeout}`,
        hyperparameters: null,
        appliedFromEpoch: null,
        at: new Date().toISOString(),
      };
      state.decisions.push(record);
    }
    pending = undefined;
    state.review = null;
    state.status = 'TRAINING';
    if (record.action === 'adjust' && record.hyperparameters) state.hyperparameters = record.hyperparameters;
    await audit.record('training.decision', { trainingId: state.trainingId, ...record });
    return record;
  };

  try {
    if (!carry) {
      await audit.record(
        'training.started',
        { workflowType: 'trainingWorkflow', trainingId: request.trainingId, modelId: request.modelId, epochs: request.epochs, seed: state.seed, resumeFrom: request.resumeFrom ?? null },
        { digests: { requestSha256: request } },
      );
      dataset = await prepareDataset({ spec: request.dataset });
      state.datasetId = dataset.datasetId;
      if (request.resumeFrom !== undefined) {
        const r = await resolveTrainingCheckpoint({ modelId: request.modelId, checkpoint: request.resumeFrom });
        const m = r.metadata;
        if (m.datasetId !== dataset.datasetId) {
          throw ApplicationFailure.nonRetryable(`checkpoint ${r.checkpoint.checkpointId} was trained on dataset ${m.datasetId}, not ${dataset.datasetId}`, 'CheckpointMismatch');
        }
        if (request.hiddenUnits !== undefined && request.hiddenUnits !== m.model.hidden) {
          throw ApplicationFailure.nonRetryable(`checkpoint ${r.checkpoint.checkpointId} has ${m.model.hidden} hidden units, the request ${request.hiddenUnits}`, 'CheckpointMismatch');
        }
        state.hiddenUnits = m.model.hidden;
        state.epoch = r.checkpoint.epoch;
        state.seed = request.seed ?? m.seed;
        state.hyperparameters = withDefaults(request.hyperparameters ?? m.hyperparameters);
        state.bestLoss = m.metrics.bestLoss;
        state.bestEpoch = null;
        state.weightsSha256 = m.weightsSha256;
        state.resumedFrom = { checkpointId: r.checkpoint.checkpointId, epoch: r.checkpoint.epoch };
        stateRef = r.state;
        lastCheckpointId = r.checkpoint.checkpointId;
        lastCheckpointEpoch = r.checkpoint.epoch;
        await audit.record('training.resumed', { trainingId: state.trainingId, checkpointId: r.checkpoint.checkpointId, epoch: r.checkpoint.epoch, weightsSha256: m.weightsSha256, seed: state.seed });
      }
    }
    if (!dataset) throw new Error('no dataset');
    state.status = 'TRAINING';
    const maxPerRun = request.maxEpochsPerRun ?? TRAINING_DEFAULTS.maxEpochsPerRun;
    let epochsThisRun = 0;
    let stopped = false;

    while (state.epoch < state.totalEpochs && !stopped) {
      const epoch = state.epoch + 1;
      const r = await trainEpoch({
        trainingId: state.trainingId,
        dataset,
        hiddenUnits: state.hiddenUnits,
        state: stateRef,
        epoch,
        seed: state.seed,
        hyperparameters: state.hyperparameters,
        ...(request.failAtEpoch !== undefined ? { failAtEpoch: request.failAtEpoch } : {}),
      });
      lastEpoch = r;
      stateRef = r.state;
      state.epoch = epoch;
      state.weightsSha256 = r.weightsSha256;
      state.losses.push({ epoch, loss: r.loss, sampleMerkleRoot: r.sampleMerkleRoot, learningRate: state.hyperparameters.learningRate, batchSize: state.hyperparameters.batchSize });
      if (state.bestLoss === null || r.loss < state.bestLoss) {
        state.bestLoss = r.loss;
        state.bestEpoch = epoch;
      }
      roots[String(epoch)] = r.sampleMerkleRoot;
      const last = epoch === state.totalEpochs;
      const checkpointNow = epoch % request.checkpointEvery === 0 || last;
      const reviewNow = request.reviewEvery !== undefined && epoch % request.reviewEvery === 0 && !last;
      if (checkpointNow || reviewNow) {
        lastEvaluation = await evaluateModel({ dataset, state: stateRef });
        state.accuracy = lastEvaluation.accuracy;
        state.evaluations.push({ epoch, accuracy: lastEvaluation.accuracy, loss: lastEvaluation.loss });
      }
      if (checkpointNow) await saveCheckpoint(r);
      if (reviewNow) {
        const decision = await review(epoch);
        if (decision.action === 'stop') {
          stopped = true;
          if (lastCheckpointEpoch !== epoch) await saveCheckpoint(r);
        }
      }
      epochsThisRun++;
      if (!stopped && state.epoch < state.totalEpochs && (epochsThisRun >= maxPerRun || workflowInfo().continueAsNewSuggested)) {
        await condition(allHandlersFinished);
        log.info('training continues as new', { trainingId: state.trainingId, epoch: state.epoch, run: state.run });
        state.run += 1;
        await continueAsNew<typeof trainingWorkflow>(request, {
          state,
          dataset,
          stateRef,
          lastEpoch,
          lastEvaluation,
          lastCheckpointId,
          lastCheckpointEpoch,
          rootsSinceCheckpoint: roots,
          processed: [...processed.entries()],
        });
      }
    }

    state.status = stopped ? 'STOPPED' : 'COMPLETED';
    const result: TrainingResult = {
      trainingId: state.trainingId,
      modelId: state.modelId,
      status: stopped ? 'STOPPED' : 'COMPLETED',
      epochs: state.epoch,
      finalLoss: lastEpoch?.loss ?? null,
      bestLoss: state.bestLoss,
      accuracy: lastEvaluation?.accuracy ?? null,
      testLoss: lastEvaluation?.loss ?? null,
      weightsSha256: state.weightsSha256,
      lastCheckpointId,
      checkpoints: state.checkpoints,
      decisions: state.decisions,
      resumedFrom: state.resumedFrom,
    };
    await audit.record(
      'training.completed',
      { trainingId: state.trainingId, status: result.status, epochs: result.epochs, finalLoss: result.finalLoss, accuracy: result.accuracy, weightsSha256: result.weightsSha256, lastCheckpointId },
      { checkpoint: true },
    );
    return result;
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (isCancellation(err)) {
      state.status = 'CANCELLED';
      await CancellationScope.nonCancellable(() => audit.record('training.cancelled', { trainingId: state.trainingId, epoch: state.epoch, lastCheckpointId }, { checkpoint: true }));
      throw err;
    }
    state.status = 'FAILED';
    const cause = (err as { cause?: { message?: string } }).cause;
    state.error = cause?.message ?? (err instanceof Error ? err.message : String(err));
    await audit.record('training.failed', { trainingId: state.trainingId, epoch: state.epoch, error: state.error, lastCheckpointId }, { checkpoint: true });
    throw err;
  }
}

import { ApplicationFailure, CancellationScope, ContinueAsNew, allHandlersFinished, condition, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EvaluateModelResult } from '../../lambdas/evaluate-model/steps';
import type { DatasetRef, StateRef, TrainingCheckpointMetadata } from '../../lambdas/shared/ml/types';
import type { TrainEpochResult } from '../../lambdas/train-epoch/steps';
import type { WorkflowAudit } from '../lib/audit';
import { acceptDecisions } from '../lib/decisions';
import { parseDuration } from '../lib/durations';
import { fnv1a32, hyperparameterProblem, settleRequest, withHyperparameterDefaults, type SettledRequest } from './defaults';
import { decisionSignal, decisionUpdate, trainingStateQuery } from './messages';
import { evaluateModel, prepareDataset, resolveTrainingCheckpoint, saveTrainingCheckpoint, trainEpoch } from './steps';
import type { DecisionInput, DecisionRecord, DecisionResult, TrainingRequest, TrainingResult, TrainingState } from './types';

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
  /** The audit naming scheme of the training's first run (absent: runs from before the scheme). */
  auditCurrent?: boolean;
}

/** What an epoch asks for after it is trained. */
export interface EpochOutcome {
  checkpoint: boolean;
  review: boolean;
}

function initialState(request: SettledRequest): TrainingState {
  return {
    trainingId: request.trainingId,
    modelId: request.modelId,
    status: 'PREPARING',
    epoch: 0,
    totalEpochs: request.epochs,
    seed: request.seed ?? fnv1a32(workflowInfo().workflowId),
    hiddenUnits: request.hiddenUnits,
    hyperparameters: withHyperparameterDefaults(request.hyperparameters ?? { learningRate: 0.1, batchSize: 32 }),
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

/**
 * One run of a training: its state (what the query answers), the researcher's decision gate, and
 * one method per phase of the state diagram (workflow.ts runs them): prepare (and resume), train
 * an epoch, checkpoint, review, continue as new, and the ends.
 */
export class TrainingRun {
  readonly state: TrainingState;
  private readonly processed: Map<string, DecisionResult>;
  private readonly reviewTimeoutMs: number;
  private dataset: DatasetRef | undefined;
  private stateRef: StateRef | null;
  private lastEpoch: TrainEpochResult | null;
  private lastEvaluation: EvaluateModelResult | null;
  private lastCheckpointId: string | null;
  private lastCheckpointEpoch: number;
  private roots: Record<string, string>;
  private pending: DecisionRecord | undefined;
  private epochsThisRun = 0;
  private stopped = false;

  private readonly request: SettledRequest;

  constructor(
    /** The request as the client sent it (without the defaults): the start event digests it, continue-as-new passes it on. */
    readonly original: TrainingRequest,
    private readonly audit: WorkflowAudit,
    carry?: TrainingCarry,
  ) {
    const request = settleRequest(original);
    this.request = request;
    this.state = carry?.state ?? initialState(request);
    this.processed = new Map(carry?.processed ?? []);
    this.dataset = carry?.dataset;
    this.stateRef = carry?.stateRef ?? null;
    this.lastEpoch = carry?.lastEpoch ?? null;
    this.lastEvaluation = carry?.lastEvaluation ?? null;
    this.lastCheckpointId = carry?.lastCheckpointId ?? null;
    this.lastCheckpointEpoch = carry?.lastCheckpointEpoch ?? -1;
    this.roots = carry?.rootsSinceCheckpoint ?? {};
    this.reviewTimeoutMs = parseDuration(request.reviewTimeout)!;
    setHandler(trainingStateQuery, () => this.state);
    this.acceptDecisions();
  }

  /** More epochs to train in this run. */
  get training(): boolean {
    return this.state.epoch < this.state.totalEpochs && !this.stopped;
  }

  /** PREPARING: the start is audited, the dataset generated (or found), and with resumeFrom the checkpoint loaded. */
  async prepare(): Promise<void> {
    const { request, state } = this;
    await this.audit.started(
      { workflowType: 'trainingWorkflow', trainingId: request.trainingId, modelId: request.modelId, epochs: request.epochs, seed: state.seed, resumeFrom: request.resumeFrom ?? null },
      this.original,
    );
    const input = { spec: request.dataset };
    this.dataset = await prepareDataset(input);
    state.datasetId = this.dataset.datasetId;
    await this.audit.step('prepareDataset', { input, output: this.dataset }, { trainingId: state.trainingId, datasetId: this.dataset.datasetId });
    if (request.resumeFrom !== undefined) await this.resume(request.resumeFrom);
  }

  /** TRAINING: one epoch in Lambda, its loss and sample root kept; says whether a checkpoint or a review follows. */
  async trainEpoch(): Promise<EpochOutcome> {
    const { request, state } = this;
    const dataset = this.datasetRef;
    state.status = 'TRAINING';
    const epoch = state.epoch + 1;
    const input = {
      trainingId: state.trainingId,
      dataset,
      hiddenUnits: state.hiddenUnits,
      state: this.stateRef,
      epoch,
      seed: state.seed,
      hyperparameters: state.hyperparameters,
      ...(request.failAtEpoch !== undefined ? { failAtEpoch: request.failAtEpoch } : {}),
    };
    const r = await trainEpoch(input);
    this.lastEpoch = r;
    this.stateRef = r.state;
    state.epoch = epoch;
    state.weightsSha256 = r.weightsSha256;
    state.losses.push({ epoch, loss: r.loss, sampleMerkleRoot: r.sampleMerkleRoot, learningRate: state.hyperparameters.learningRate, batchSize: state.hyperparameters.batchSize });
    if (state.bestLoss === null || r.loss < state.bestLoss) {
      state.bestLoss = r.loss;
      state.bestEpoch = epoch;
    }
    this.roots[String(epoch)] = r.sampleMerkleRoot;
    this.epochsThisRun++;
    await this.audit.step('trainEpoch', { input, output: r }, { trainingId: state.trainingId, epoch, loss: r.loss, sampleMerkleRoot: r.sampleMerkleRoot, weightsSha256: r.weightsSha256 });
    const last = epoch === state.totalEpochs;
    const outcome = { checkpoint: epoch % request.checkpointEvery === 0 || last, review: request.reviewEvery !== undefined && epoch % request.reviewEvery === 0 && !last };
    if (outcome.checkpoint || outcome.review) await this.evaluate(r.state);
    return outcome;
  }

  /** CHECKPOINT: weights, optimizer and RNG state saved to S3, audited with the epochs' sample roots. */
  async checkpoint(): Promise<void> {
    const { state } = this;
    const epochResult = this.lastEpoch;
    if (!this.dataset || !this.stateRef || !epochResult) throw new Error('nothing to checkpoint');
    const lastEvaluation = this.lastEvaluation;
    const metadata: TrainingCheckpointMetadata = {
      trainingId: state.trainingId,
      workflowId: workflowInfo().workflowId,
      modelId: state.modelId,
      datasetId: this.dataset.datasetId,
      epoch: epochResult.epoch,
      seed: state.seed,
      model: epochResult.model,
      hyperparameters: state.hyperparameters,
      optimizer: { kind: 'sgd-momentum', state: 'velocity per parameter, in the blob after the weights' },
      rng: { algorithm: 'splitmix64', seed: state.seed, nextEpoch: epochResult.epoch + 1, derivation: 'shuffle of epoch e = stream(seed, Shuffle=2, e)', lastShuffleState: epochResult.shuffleState },
      metrics: { loss: epochResult.loss, accuracy: lastEvaluation?.accuracy ?? null, testLoss: lastEvaluation?.loss ?? null, bestLoss: state.bestLoss ?? epochResult.loss },
      sampleMerkleRoot: epochResult.sampleMerkleRoot,
      sampleMerkleRoots: this.roots,
      weightsSha256: epochResult.weightsSha256,
      state: this.stateRef,
    };
    const input = { modelId: state.modelId, epoch: epochResult.epoch, state: this.stateRef, parent: this.lastCheckpointId, metadata };
    const saved = await saveTrainingCheckpoint(input);
    state.checkpoints.push(saved);
    this.lastCheckpointId = saved.checkpointId;
    this.lastCheckpointEpoch = epochResult.epoch;
    await this.audit.step('saveTrainingCheckpoint', { input, output: saved }, {
      trainingId: state.trainingId,
      modelId: state.modelId,
      epoch: epochResult.epoch,
      checkpointId: saved.checkpointId,
      blobSha256: saved.blob.sha256,
      sampleMerkleRoot: epochResult.sampleMerkleRoot,
      sampleMerkleRoots: this.roots,
      weightsSha256: epochResult.weightsSha256,
      loss: epochResult.loss,
      accuracy: lastEvaluation?.accuracy ?? null,
    }, 'checkpoint-saved');
    this.roots = {};
  }

  /** AWAITING_DECISION: a researcher's continue / adjust / stop, or the timeout's action. A stop keeps a checkpoint of this epoch. */
  async review(): Promise<void> {
    const { state, request } = this;
    const epoch = state.epoch;
    state.status = 'AWAITING_DECISION';
    state.review = { epoch, deadline: new Date(Date.now() + this.reviewTimeoutMs).toISOString(), timeoutAction: request.reviewTimeoutAction };
    await this.audit.decision('requested', 'review', { trainingId: state.trainingId, epoch, deadline: state.review.deadline, timeoutAction: request.reviewTimeoutAction });
    const decided = await condition(() => this.pending !== undefined, this.reviewTimeoutMs);
    const record: DecisionRecord =
      decided && this.pending
        ? this.pending
        : { epoch, action: request.reviewTimeoutAction, source: 'timeout', requestId: null, reason: `no decision within ${request.reviewTimeout}`, hyperparameters: null, appliedFromEpoch: null, at: new Date().toISOString() };
    if (record.source === 'timeout') state.decisions.push(record);
    this.pending = undefined;
    state.review = null;
    state.status = 'TRAINING';
    if (record.action === 'adjust' && record.hyperparameters) state.hyperparameters = record.hyperparameters;
    await this.audit.decision('taken', 'review', { trainingId: state.trainingId, ...record });
    if (record.action === 'stop') {
      this.stopped = true;
      if (this.lastCheckpointEpoch !== epoch) await this.checkpoint();
    }
  }

  /** Whether this run has trained its share (or Temporal suggests a fresh history) with epochs left. */
  get runIsFull(): boolean {
    return this.training && (this.epochsThisRun >= this.request.maxEpochsPerRun || workflowInfo().continueAsNewSuggested);
  }

  /** What the next run starts from, once every message handler has finished. */
  async carry(): Promise<TrainingCarry> {
    await condition(allHandlersFinished);
    const { state } = this;
    log.info('training continues as new', { trainingId: state.trainingId, epoch: state.epoch, run: state.run });
    state.run += 1;
    return {
      state,
      dataset: this.datasetRef,
      stateRef: this.stateRef,
      lastEpoch: this.lastEpoch,
      lastEvaluation: this.lastEvaluation,
      lastCheckpointId: this.lastCheckpointId,
      lastCheckpointEpoch: this.lastCheckpointEpoch,
      rootsSinceCheckpoint: this.roots,
      processed: [...this.processed.entries()],
      ...(this.audit.current ? { auditCurrent: true } : {}),
    };
  }

  /** COMPLETED or STOPPED: the result, audited with a checkpoint of the log. */
  async finish(): Promise<TrainingResult> {
    const { state } = this;
    const status = this.stopped ? 'STOPPED' : 'COMPLETED';
    state.status = status;
    const result: TrainingResult = {
      trainingId: state.trainingId,
      modelId: state.modelId,
      status,
      epochs: state.epoch,
      finalLoss: this.lastEpoch?.loss ?? null,
      bestLoss: state.bestLoss,
      accuracy: this.lastEvaluation?.accuracy ?? null,
      testLoss: this.lastEvaluation?.loss ?? null,
      weightsSha256: state.weightsSha256,
      lastCheckpointId: this.lastCheckpointId,
      checkpoints: state.checkpoints,
      decisions: state.decisions,
      resumedFrom: state.resumedFrom,
    };
    await this.audit.ended(
      this.stopped ? 'stopped' : 'completed',
      { trainingId: state.trainingId, status: result.status, epochs: result.epochs, finalLoss: result.finalLoss, accuracy: result.accuracy, weightsSha256: result.weightsSha256, lastCheckpointId: this.lastCheckpointId },
      result,
    );
    return result;
  }

  /** CANCELLED or FAILED: audited (outside the cancelled scope), then passed on. Continue-as-new is not an end. */
  async fail(err: unknown): Promise<never> {
    if (err instanceof ContinueAsNew) throw err;
    const { state } = this;
    if (isCancellation(err)) {
      state.status = 'CANCELLED';
      await CancellationScope.nonCancellable(() => this.audit.ended('cancelled', { trainingId: state.trainingId, epoch: state.epoch, lastCheckpointId: this.lastCheckpointId }));
      throw err;
    }
    state.status = 'FAILED';
    const cause = (err as { cause?: { message?: string } }).cause;
    state.error = cause?.message ?? (err instanceof Error ? err.message : String(err));
    await this.audit.ended('failed', { trainingId: state.trainingId, epoch: state.epoch, error: state.error, lastCheckpointId: this.lastCheckpointId });
    throw err;
  }

  private get datasetRef(): DatasetRef {
    if (!this.dataset) throw new Error('no dataset');
    return this.dataset;
  }

  private async evaluate(state: StateRef): Promise<void> {
    const input = { dataset: this.datasetRef, state };
    const evaluation = await evaluateModel(input);
    this.lastEvaluation = evaluation;
    this.state.accuracy = evaluation.accuracy;
    this.state.evaluations.push({ epoch: this.state.epoch, accuracy: evaluation.accuracy, loss: evaluation.loss });
    await this.audit.step('evaluateModel', { input, output: evaluation }, { trainingId: this.state.trainingId, epoch: this.state.epoch, accuracy: evaluation.accuracy, loss: evaluation.loss });
  }

  /** Loads the checkpoint to resume from: it must be of the same dataset and model shape. */
  private async resume(checkpoint: string): Promise<void> {
    const { request, state } = this;
    const dataset = this.datasetRef;
    const input = { modelId: request.modelId, checkpoint };
    const r = await resolveTrainingCheckpoint(input);
    const m = r.metadata;
    if (m.datasetId !== dataset.datasetId) {
      throw ApplicationFailure.nonRetryable(`checkpoint ${r.checkpoint.checkpointId} was trained on dataset ${m.datasetId}, not ${dataset.datasetId}`, 'CheckpointMismatch');
    }
    if (this.original.hiddenUnits !== undefined && this.original.hiddenUnits !== m.model.hidden) {
      throw ApplicationFailure.nonRetryable(`checkpoint ${r.checkpoint.checkpointId} has ${m.model.hidden} hidden units, the request ${this.original.hiddenUnits}`, 'CheckpointMismatch');
    }
    state.hiddenUnits = m.model.hidden;
    state.epoch = r.checkpoint.epoch;
    state.seed = request.seed ?? m.seed;
    state.hyperparameters = withHyperparameterDefaults(request.hyperparameters ?? m.hyperparameters);
    state.bestLoss = m.metrics.bestLoss;
    state.bestEpoch = null;
    state.weightsSha256 = m.weightsSha256;
    state.resumedFrom = { checkpointId: r.checkpoint.checkpointId, epoch: r.checkpoint.epoch };
    this.stateRef = r.state;
    this.lastCheckpointId = r.checkpoint.checkpointId;
    this.lastCheckpointEpoch = r.checkpoint.epoch;
    await this.audit.step('resolveTrainingCheckpoint', { input, output: r }, { trainingId: state.trainingId, checkpointId: r.checkpoint.checkpointId, epoch: r.checkpoint.epoch, weightsSha256: m.weightsSha256, seed: state.seed }, 'resumed');
  }

  private acceptDecisions(): void {
    const { state } = this;
    acceptDecisions<DecisionInput, DecisionResult>({
      name: 'decision',
      update: decisionUpdate,
      signal: decisionSignal,
      processed: this.processed,
      problem: (d) => {
        if (typeof d !== 'object' || d === null) return 'a decision must be an object';
        if (typeof d.requestId !== 'string' || d.requestId === '') return 'the decision has no requestId';
        if (state.status !== 'AWAITING_DECISION' || this.pending !== undefined || state.review === null) {
          return `training "${state.trainingId}" is not awaiting a decision (status ${state.status}, epoch ${state.epoch} of ${state.totalEpochs})`;
        }
        if (!['continue', 'adjust', 'stop'].includes(d.action)) return `unknown action "${String(d.action)}": use continue, adjust or stop`;
        if (d.action === 'adjust') {
          if (typeof d.hyperparameters !== 'object' || d.hyperparameters === null || Object.keys(d.hyperparameters).length === 0) return 'action "adjust" needs hyperparameters to change';
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
        this.pending = record;
        state.decisions.push(record);
        return { trainingId: state.trainingId, accepted: true, duplicate: false, decision: record };
      },
    });
  }
}

/**
 * The training workflow's input, state, result and the decision it accepts: plain types shared by
 * the workflow, the HTTP API and clients. No I/O (workflow code imports it).
 */
import type { CheckpointSummary, DatasetSpec, Hyperparameters } from '../../lambdas/shared/ml/types';

export type { CheckpointSummary, DatasetSpec, Hyperparameters } from '../../lambdas/shared/ml/types';

export type ReviewTimeoutAction = 'continue' | 'stop';

export interface TrainingRequest {
  trainingId: string;
  /** The checkpoints' run key: resuming finds checkpoints by model id. */
  modelId: string;
  dataset: Partial<DatasetSpec>;
  /** Total epochs, counting those a resumed checkpoint already did. */
  epochs: number;
  /** Hidden units of the MLP; 0 = multinomial logistic regression. Default 16. */
  hiddenUnits?: number;
  /** Required unless resuming (then the checkpoint's are the default). */
  hyperparameters?: Hyperparameters;
  /** Default: the resumed checkpoint's seed, else FNV-1a-32 of the workflow id. 0 is a seed like any other. */
  seed?: number;
  /** Save a checkpoint after every N-th epoch (and after the last). */
  checkpointEvery: number;
  /** Pause for a researcher's decision after every K-th epoch (not after the last). Default: never. */
  reviewEvery?: number;
  /** How long a review waits (Temporal duration: '24h', '30m', '90s'). Default '24h'. */
  reviewTimeout?: string;
  /** What a review that times out does. Default 'continue'. */
  reviewTimeoutAction?: ReviewTimeoutAction;
  /** Start from the model's latest checkpoint or a checkpoint id; epochs it covers are skipped. */
  resumeFrom?: string;
  /** Fault injection: the train-epoch function fails this epoch on every attempt (3), so the training fails. */
  failAtEpoch?: number;
  /** Continue-as-new after this many epochs in one run (also when Temporal suggests it). Default 100. */
  maxEpochsPerRun?: number;
}

export type TrainingStatus = 'PREPARING' | 'TRAINING' | 'AWAITING_DECISION' | 'COMPLETED' | 'STOPPED' | 'FAILED' | 'CANCELLED';

export interface DecisionInput {
  action: 'continue' | 'adjust' | 'stop';
  /** For 'adjust': the hyperparameters to change (the others stay). */
  hyperparameters?: Partial<Hyperparameters>;
  reason?: string;
  /** Identifies the request; a repeat is answered `duplicate: true` and changes nothing. */
  requestId: string;
}

export interface DecisionRecord {
  /** The epoch after which the review took place. */
  epoch: number;
  action: DecisionInput['action'];
  source: 'researcher' | 'timeout';
  requestId: string | null;
  reason: string | null;
  /** For 'adjust': the hyperparameters in effect from `appliedFromEpoch`. */
  hyperparameters: Hyperparameters | null;
  appliedFromEpoch: number | null;
  at: string;
}

export interface DecisionResult {
  trainingId: string;
  accepted: true;
  duplicate: boolean;
  decision: DecisionRecord;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  sampleMerkleRoot: string;
  learningRate: number;
  batchSize: number;
}

export interface EvaluationRecord {
  epoch: number;
  accuracy: number;
  loss: number;
}

export interface TrainingState {
  trainingId: string;
  modelId: string;
  status: TrainingStatus;
  /** Epochs completed (including those of a resumed checkpoint). */
  epoch: number;
  totalEpochs: number;
  seed: number;
  hiddenUnits: number;
  hyperparameters: Hyperparameters;
  datasetId: string | null;
  losses: EpochRecord[];
  bestLoss: number | null;
  bestEpoch: number | null;
  /** Held-out accuracy of the latest evaluation. */
  accuracy: number | null;
  evaluations: EvaluationRecord[];
  checkpoints: CheckpointSummary[];
  decisions: DecisionRecord[];
  /** While AWAITING_DECISION: the review's epoch and deadline (ISO). */
  review: { epoch: number; deadline: string; timeoutAction: ReviewTimeoutAction } | null;
  resumedFrom: { checkpointId: string; epoch: number } | null;
  weightsSha256: string | null;
  /** Runs of this workflow id so far (continue-as-new starts a new one). */
  run: number;
  error: string | null;
}

export interface TrainingResult {
  trainingId: string;
  modelId: string;
  status: 'COMPLETED' | 'STOPPED';
  epochs: number;
  finalLoss: number | null;
  bestLoss: number | null;
  accuracy: number | null;
  testLoss: number | null;
  weightsSha256: string | null;
  lastCheckpointId: string | null;
  checkpoints: CheckpointSummary[];
  decisions: DecisionRecord[];
  resumedFrom: { checkpointId: string; epoch: number } | null;
}

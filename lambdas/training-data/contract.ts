import type { CheckpointSummary, DatasetRef, DatasetSpec, StateRef, TrainingCheckpointMetadata } from '../shared/ml/types';

/** The training-data function's operations: datasets and checkpoints in S3. */
export type TrainingDataInput =
  | { op: 'prepareDataset'; spec: Partial<DatasetSpec> }
  | { op: 'saveCheckpoint'; modelId: string; epoch: number; state: StateRef; parent: string | null; metadata: TrainingCheckpointMetadata }
  | { op: 'resolveCheckpoint'; modelId: string; checkpoint: string };

export type PrepareDatasetResult = DatasetRef & { created: boolean };

export type SaveCheckpointResult = CheckpointSummary;

export interface ResolveCheckpointResult {
  checkpoint: CheckpointSummary;
  metadata: TrainingCheckpointMetadata;
  /** The checkpoint's state, copied (verified) to the state store for the next epoch to load. */
  state: StateRef;
}

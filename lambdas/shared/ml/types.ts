/**
 * The values the training workflow and its functions pass each other. Types only: workflow code
 * imports them.
 */
import type { DatasetSpec } from './dataset';
import type { Hyperparameters } from './model';

export type { DatasetSpec } from './dataset';
export type { Hyperparameters, ModelShape } from './model';

/** A dataset written to S3 by the training-data function. */
export interface DatasetRef {
  /** `<kind>-<first 16 hex digits of SHA-256 of the normalized spec's JSON>` */
  datasetId: string;
  spec: DatasetSpec;
  bucket: string;
  trainKey: string;
  testKey: string;
  trainRows: number;
  testRows: number;
  features: number;
  classes: number;
  trainSha256: string;
  testSha256: string;
}

/** Model state bytes (state-codec.ts) in S3, content-addressed: key = training/state/sha256/<sha256>. */
export interface StateRef {
  key: string;
  sha256: string;
  sizeBytes: number;
}

/** What the API's checkpoint list and the workflow's state show of a checkpoint. */
export interface CheckpointSummary {
  checkpointId: string;
  modelId: string;
  epoch: number;
  createdAt: string;
  trainingId: string | null;
  sampleMerkleRoot: string | null;
  weightsSha256: string | null;
  metrics: { loss?: number; accuracy?: number; testLoss?: number; bestLoss?: number };
  blob: { key: string; sha256: string; sizeBytes: number };
  parent: string | null;
}

/** The checkpoint's metadata (the CheckpointStore manifest's `metadata`). */
export interface TrainingCheckpointMetadata {
  [key: string]: unknown;
  trainingId: string;
  workflowId: string;
  modelId: string;
  datasetId: string;
  epoch: number;
  seed: number;
  model: { inputs: number; hidden: number; classes: number };
  hyperparameters: Hyperparameters;
  optimizer: { kind: 'sgd-momentum'; state: 'velocity per parameter, in the blob after the weights' };
  /** Where the random numbers stand: each epoch's shuffle is stream(seed, Shuffle, epoch). */
  rng: { algorithm: 'splitmix64'; seed: number; nextEpoch: number; derivation: string; lastShuffleState: string | null };
  metrics: { loss: number; accuracy: number | null; testLoss: number | null; bestLoss: number };
  /** Merkle root of this epoch's ordered sample ids. */
  sampleMerkleRoot: string;
  /** Roots of every epoch since the previous checkpoint, by epoch. */
  sampleMerkleRoots: Record<string, string>;
  weightsSha256: string;
  state: StateRef;
}

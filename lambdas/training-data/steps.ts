import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';
import type { CheckpointSummary, DatasetRef, DatasetSpec, StateRef, TrainingCheckpointMetadata } from '../shared/ml/types';

/**
 * The training-data function: generates the training workflow's datasets into S3 and saves and
 * resolves its checkpoints. Its steps, their inputs, outputs and errors are declared here.
 */

/** Model state bytes in S3, content-addressed (lambdas/shared/ml/storage.ts). */
export const stateRef = z.object({ key: z.string(), sha256: z.string(), sizeBytes: z.number() });

/** A dataset written by prepareDataset; the steps that read it check its bytes against the hashes. */
export const datasetRef = z.object({
  datasetId: z.string(),
  // Normalized by prepareDataset, which wrote it; only carried along here.
  spec: z.custom<DatasetSpec>(),
  bucket: z.string(),
  trainKey: z.string(),
  testKey: z.string(),
  trainRows: z.number(),
  testRows: z.number(),
  features: z.number(),
  classes: z.number(),
  trainSha256: z.string(),
  testSha256: z.string(),
});

// normalizeDatasetSpec fills in and checks the spec's fields, so it is not parsed again here.
const prepareDatasetInput = z.object({ spec: z.custom<Partial<DatasetSpec>>() });
export type PrepareDatasetInput = z.infer<typeof prepareDatasetInput>;

const saveCheckpointInput = z.object({
  modelId: z.string(),
  epoch: z.number(),
  state: stateRef,
  parent: z.string().nullable(),
  // Stored as the checkpoint's metadata as given (the workflow builds it).
  metadata: z.custom<TrainingCheckpointMetadata>(),
});
export type SaveCheckpointInput = z.infer<typeof saveCheckpointInput>;

const resolveCheckpointInput = z.object({
  modelId: z.string(),
  /** 'latest' or a checkpoint id. */
  checkpoint: z.string(),
});
export type ResolveCheckpointInput = z.infer<typeof resolveCheckpointInput>;

export type PrepareDatasetResult = DatasetRef & { created: boolean };

export type SaveCheckpointResult = CheckpointSummary;

export interface ResolveCheckpointResult {
  checkpoint: CheckpointSummary;
  metadata: TrainingCheckpointMetadata;
  /** The checkpoint's state, copied (verified) to the state store for the next epoch to load. */
  state: StateRef;
}

export const trainingData = declareFunction({
  name: 'trainingData',
  description: 'Generates deterministic datasets into S3; saves and resolves training checkpoints',
  folder: 'training-data',
  memoryMb: 512,
  timeoutSeconds: 60,
  buckets: [
    {
      bucket: 'data',
      env: 'TRAINING_BUCKET',
      read: ['training/'],
      write: ['training/'],
      delete: ['training/checkpoints/'],
      // The whole bucket, not training/: prepareDataset and the checkpoint store check whether an
      // object exists by reading it, and S3 answers 404 for a missing one (403 otherwise) only to a
      // caller that may list the bucket without a prefix condition.
      list: [''],
    },
  ],
  steps: {
    prepareDataset: defineStep({
      name: 'prepareDataset',
      description: "Generates a spec's dataset (train/test CSV and a manifest under training/datasets/), unless it is there already",
      input: prepareDatasetInput,
      output: returns<PrepareDatasetResult>(),
      legacyOp: 'prepareDataset',
      errors: {
        // Same id, other bytes: the generator changed without a version bump; never train on it.
        DatasetConflict: 'nonRetryable',
      },
    }),
    saveCheckpoint: defineStep({
      name: 'saveTrainingCheckpoint',
      description: "Saves a model's state at an epoch as a checkpoint (run key = model id)",
      input: saveCheckpointInput,
      output: returns<SaveCheckpointResult>(),
      legacyOp: 'saveCheckpoint',
      errors: {
        // The state object's bytes do not hash to its key: reading it again gives the same bytes.
        StateIntegrityError: 'nonRetryable',
        CheckpointValidationError: 'nonRetryable',
        // S3 refused, failed mid-upload or reported other bytes for the copy; the store cleaned up, a retry uploads again.
        CheckpointUploadError: 'retryable',
        CheckpointIntegrityError: 'retryable',
      },
    }),
    resolveCheckpoint: defineStep({
      name: 'resolveTrainingCheckpoint',
      description: "Loads and verifies a model's checkpoint ('latest' or an id) and puts its state back in the state store",
      input: resolveCheckpointInput,
      output: returns<ResolveCheckpointResult>(),
      legacyOp: 'resolveCheckpoint',
      errors: {
        CheckpointNotFound: 'nonRetryable',
        CheckpointIntegrityError: 'nonRetryable',
        CheckpointValidationError: 'nonRetryable',
      },
    }),
  },
});

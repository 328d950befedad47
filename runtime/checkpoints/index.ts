/** Checkpoint store: content-addressed, verified checkpoints in S3 for resumable workflows. */
export {
  CheckpointStore,
  type CallOptions,
  type CheckpointStoreOptions,
  type LoadedCheckpoint,
  type PruneResult,
  type SaveCheckpointInput,
  type StreamedCheckpoint,
  type SweepResult,
} from './store';
export type { BlobRef, CheckpointManifest } from './manifest';
export type { RetentionPolicy } from './retention';
export type { JsonObject, JsonValue } from './validation';
export {
  CheckpointError,
  CheckpointIntegrityError,
  CheckpointNotFoundError,
  CheckpointUploadError,
  CheckpointValidationError,
  type CheckpointErrorCode,
} from './errors';

import type { TransformId } from '../shared/analysis/transforms';

export interface RefactorApplyInput {
  op: 'apply';
  snapshot: { bucket: string; prefix: string };
  batchId: string;
  transform: TransformId;
  files: Array<{ path: string; names?: string[] }>;
}

export interface RefactorRollbackInput {
  op: 'rollback';
  snapshot: { bucket: string; prefix: string };
  batchId: string;
  files: Array<{ path: string; previousVersionId: string }>;
}

export type RefactorFilesInput = RefactorApplyInput | RefactorRollbackInput;

export interface AppliedFile {
  path: string;
  /** The object version before the batch: what a rollback restores. */
  previousVersionId: string;
  /** The version the batch wrote; equal to previousVersionId when nothing changed. */
  versionId: string;
  edits: number;
  sha256Before: string;
  sha256After: string;
}

export interface RestoredFile {
  path: string;
  restoredFrom: string;
  versionId: string;
  sha256: string;
}

export interface RefactorFilesResult {
  op: 'apply' | 'rollback';
  batchId: string;
  applied?: AppliedFile[];
  restored?: RestoredFile[];
}

import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';
import { snapshotLocation } from '../snapshot-manifest/steps';

/**
 * The refactor-files function: applies a refactoring batch to snapshot files (new S3 versions) and
 * rolls a batch back. Its steps, their inputs, outputs and errors are declared here.
 */

const applyInput = z.object({
  snapshot: snapshotLocation,
  batchId: z.string(),
  /** The transformations of lambdas/shared/analysis/transforms.ts. */
  transform: z.enum(['any-to-unknown', 'strict-equality', 'unexport-unused']),
  files: z.array(z.object({ path: z.string(), names: z.array(z.string()).optional() })),
});
export type RefactorApplyInput = z.infer<typeof applyInput>;

const rollbackInput = z.object({
  snapshot: snapshotLocation,
  batchId: z.string(),
  files: z.array(z.object({ path: z.string(), previousVersionId: z.string() })),
});
export type RefactorRollbackInput = z.infer<typeof rollbackInput>;

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

export interface RefactorApplyResult {
  op: 'apply';
  batchId: string;
  applied: AppliedFile[];
}

export interface RefactorRollbackResult {
  op: 'rollback';
  batchId: string;
  restored: RestoredFile[];
}

const snapshotErrors = {
  SnapshotNotFound: 'nonRetryable',
  // A file whose bytes differ from what was written, or a bucket that is not versioned.
  SnapshotIntegrityError: 'nonRetryable',
  // The transformations only parse, but they import the analyser's module, which reaches the type checker's lib lookup.
  MissingLibFiles: 'nonRetryable',
} as const;

export const refactorFiles = declareFunction({
  name: 'refactorFiles',
  description: 'Applies a refactoring batch to snapshot files (new S3 versions) or rolls it back',
  folder: 'refactor-files',
  memoryMb: 512,
  timeoutSeconds: 60,
  buckets: [{ bucket: 'snapshots', env: 'SNAPSHOT_BUCKET', read: [''], write: [''], delete: [''], list: [''], versions: true }],
  claimChecks: true,
  steps: {
    apply: defineStep({
      name: 'applyRefactoring',
      description: "Transforms a batch's files and writes them as new object versions; a failed batch restores what it wrote",
      input: applyInput,
      output: returns<RefactorApplyResult>(),
      legacyOp: 'apply',
      errors: snapshotErrors,
    }),
    rollback: defineStep({
      name: 'rollbackRefactoring',
      description: "Writes each file's previous version back as its current one and checks the restored bytes",
      input: rollbackInput,
      output: returns<RefactorRollbackResult>(),
      legacyOp: 'rollback',
      errors: snapshotErrors,
    }),
  },
});

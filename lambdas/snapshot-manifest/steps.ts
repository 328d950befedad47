import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';
import type { FileRef } from '../../domain/analysis/types';

/**
 * The snapshot-manifest function: reads and validates a repository snapshot's manifest. Its step,
 * input, output and errors are declared here, with the snapshot values the analysis steps share.
 */

/** Where a snapshot lives: its bucket and key prefix. */
export const snapshotLocation = z.object({ bucket: z.string(), prefix: z.string() });

/** A snapshot file as its manifest lists it; the reader checks the bytes against `sha256`. */
export const fileRef = z.object({ path: z.string(), sha256: z.string(), size: z.number() });

const snapshotManifestInput = z.object({
  /** Default: the stack's snapshot bucket (SNAPSHOT_BUCKET). */
  bucket: z.string().optional(),
  prefix: z.string(),
});
export type SnapshotManifestInput = z.infer<typeof snapshotManifestInput>;

export interface SnapshotManifestResult {
  snapshot: { bucket: string; prefix: string };
  snapshotId: string;
  /** The TypeScript/JavaScript files, by path. */
  files: FileRef[];
  /** Files of other kinds in the snapshot, not analysed. */
  skipped: number;
  totalBytes: number;
}

export const snapshotManifest = declareFunction({
  name: 'snapshotManifest',
  description: 'Reads and validates a repository snapshot manifest',
  folder: 'snapshot-manifest',
  memoryMb: 256,
  timeoutSeconds: 30,
  buckets: [{ bucket: 'snapshots', env: 'SNAPSHOT_BUCKET', read: [''], list: [''], versions: true }],
  claimChecks: true,
  steps: {
    read: defineStep({
      name: 'readSnapshotManifest',
      description: "Reads a snapshot's manifest and lists its TypeScript and JavaScript files",
      input: snapshotManifestInput,
      output: returns<SnapshotManifestResult>(),
      errors: { SnapshotNotFound: 'nonRetryable', SnapshotIntegrityError: 'nonRetryable' },
    }),
  },
});

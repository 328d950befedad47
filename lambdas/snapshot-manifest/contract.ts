import type { FileRef } from '../shared/analysis/types';

export interface SnapshotManifestInput {
  /** Default: the stack's snapshot bucket (SNAPSHOT_BUCKET). */
  bucket?: string;
  prefix: string;
}

export interface SnapshotManifestResult {
  snapshot: { bucket: string; prefix: string };
  snapshotId: string;
  /** The TypeScript/JavaScript files, by path. */
  files: FileRef[];
  /** Files of other kinds in the snapshot, not analysed. */
  skipped: number;
  totalBytes: number;
}

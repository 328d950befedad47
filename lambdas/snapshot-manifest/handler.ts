import { activityHandler, nonRetryable } from '../../runtime/lambda/handler';
import { ANALYSABLE_FILE } from '../shared/analysis/types';
import { readManifest, SnapshotIntegrityError, SnapshotNotFound } from '../shared/analysis/snapshot';
import { requireEnv, s3 } from '../shared/aws';
import { createLogger } from '../shared/log';
import type { SnapshotManifestInput, SnapshotManifestResult } from './contract';

/** Reads and validates a snapshot's manifest; the analysis works from its list of source files. */
export const handler = activityHandler<SnapshotManifestInput, SnapshotManifestResult>(async (input, meta) => {
  const log = createLogger({ workflowId: meta.workflowId, runId: meta.runId, activityId: meta.activityId });
  const snapshot = { bucket: input.bucket ?? requireEnv('SNAPSHOT_BUCKET'), prefix: input.prefix.replace(/\/+$/, '') };
  let manifest;
  try {
    manifest = await readManifest(s3, snapshot);
  } catch (err) {
    if (err instanceof SnapshotNotFound || err instanceof SnapshotIntegrityError) throw nonRetryable(err);
    throw err;
  }
  const files = manifest.files.filter((f) => ANALYSABLE_FILE.test(f.path)).sort((a, b) => a.path.localeCompare(b.path));
  log.info('snapshot manifest read', { ...snapshot, files: files.length, skipped: manifest.files.length - files.length });
  return {
    snapshot,
    snapshotId: manifest.snapshotId,
    files,
    skipped: manifest.files.length - files.length,
    totalBytes: files.reduce((s, f) => s + f.size, 0),
  };
});

import { functionHandler } from '../../runtime/steps/handler';
import { ANALYSABLE_FILE } from '../../domain/analysis/types';
import { readManifest } from '../shared/analysis/snapshot';
import { requireEnv, s3 } from '../shared/aws';
import { snapshotManifest } from './steps';

/** Reads and validates a snapshot's manifest; the analysis works from its list of source files. */
export const handler = functionHandler(snapshotManifest, {
  async read(input, { log }) {
    const snapshot = { bucket: input.bucket ?? requireEnv('SNAPSHOT_BUCKET'), prefix: input.prefix.replace(/\/+$/, '') };
    const manifest = await readManifest(s3, snapshot);
    const files = manifest.files.filter((f) => ANALYSABLE_FILE.test(f.path)).sort((a, b) => a.path.localeCompare(b.path));
    log.info('snapshot manifest read', { ...snapshot, files: files.length, skipped: manifest.files.length - files.length });
    return {
      snapshot,
      snapshotId: manifest.snapshotId,
      files,
      skipped: manifest.files.length - files.length,
      totalBytes: files.reduce((s, f) => s + f.size, 0),
    };
  },
});

/**
 * The manifest: a small JSON document per checkpoint that names its blob by hash. It is written
 * after the blob, so a manifest that exists always had its blob in place when it was written.
 * Manifests read back from S3 are checked field by field: a bucket is shared, editable storage,
 * and a malformed manifest must fail loudly rather than resume training from the wrong state.
 */
import { CheckpointIntegrityError, CheckpointValidationError, describeValue } from './errors';
import { blobKey, encodeRunKey, padStep } from './layout';
import { validateCheckpointId, validateMetadata, validateName, validateRunKey, validateStep, type JsonObject } from './validation';

export const FORMAT_VERSION = 1;

export interface BlobRef {
  /** The S3 key: `<prefix>blobs/sha256/<sha256>`. */
  key: string;
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string;
  sizeBytes: number;
}

export interface CheckpointManifest {
  formatVersion: typeof FORMAT_VERSION;
  checkpointId: string;
  runKey: string;
  name: string | null;
  step: number;
  blob: BlobRef;
  /** The checkpoint this one was resumed or forked from (any run under the same prefix). */
  parent: string | null;
  /** ISO 8601, UTC, millisecond precision; breaks ties between checkpoints of the same step. */
  createdAt: string;
  metadata: JsonObject;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function serializeManifest(manifest: CheckpointManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Parses a manifest read from `key`, and checks it belongs there: its run key, step and id must
 * match the ones the key was built from, and its blob key must be the content address of its hash
 * under this store's prefix (so `load` and `prune` only ever touch keys of this layout).
 */
export function parseManifest(
  text: string,
  key: string,
  expect: { prefix: string; step: number; checkpointId: string; encodedRunKey?: string; runKey?: string },
): CheckpointManifest {
  const invalid = (expected: string, found: string) => new CheckpointIntegrityError('MANIFEST_INVALID', key, expected, found);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalid('JSON', `unparseable text (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('a JSON object', describeValue(raw));
  const m = raw as Record<string, unknown>;
  if (m.formatVersion !== FORMAT_VERSION) {
    throw invalid(`formatVersion ${FORMAT_VERSION} (the only version this code reads)`, `formatVersion ${describeValue(m.formatVersion)}`);
  }
  let manifest: CheckpointManifest;
  try {
    const blob = m.blob;
    if (typeof blob !== 'object' || blob === null) throw new CheckpointValidationError('blob', 'an object', describeValue(blob));
    const { key: blobKeyValue, sha256, sizeBytes } = blob as Record<string, unknown>;
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      throw new CheckpointValidationError('blob.sha256', '64 lowercase hex digits', describeValue(sha256));
    }
    if (typeof sizeBytes !== 'number' || !Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
      throw new CheckpointValidationError('blob.sizeBytes', 'a non-negative integer', describeValue(sizeBytes));
    }
    const expectedBlobKey = blobKey(expect.prefix, sha256);
    if (blobKeyValue !== expectedBlobKey) throw new CheckpointValidationError('blob.key', `"${expectedBlobKey}"`, describeValue(blobKeyValue));
    if (typeof m.createdAt !== 'string' || !isIsoTimestamp(m.createdAt)) {
      throw new CheckpointValidationError('createdAt', 'an ISO 8601 UTC timestamp', describeValue(m.createdAt));
    }
    manifest = {
      formatVersion: FORMAT_VERSION,
      checkpointId: validateCheckpointId(m.checkpointId),
      runKey: validateRunKey(m.runKey),
      name: m.name === null ? null : validateName(m.name),
      step: validateStep(m.step),
      blob: { key: expectedBlobKey, sha256, sizeBytes },
      parent: m.parent === null ? null : validateCheckpointId(m.parent, 'parent'),
      createdAt: m.createdAt,
      metadata: validateMetadata(m.metadata),
    };
  } catch (err) {
    if (err instanceof CheckpointValidationError) throw invalid(`${err.field}: ${err.expected}`, err.found);
    throw err;
  }
  if (manifest.checkpointId !== expect.checkpointId) throw invalid(`checkpointId "${expect.checkpointId}" (from the key)`, `"${manifest.checkpointId}"`);
  if (manifest.step !== expect.step) throw invalid(`step ${padStep(expect.step)} (from the key)`, `step ${manifest.step}`);
  if (expect.runKey !== undefined && manifest.runKey !== expect.runKey) {
    throw invalid(`runKey ${JSON.stringify(expect.runKey)}`, JSON.stringify(manifest.runKey));
  }
  if (expect.encodedRunKey !== undefined && encodeRunKey(manifest.runKey) !== expect.encodedRunKey) {
    throw invalid(`a runKey that encodes to "${expect.encodedRunKey}" (from the key)`, JSON.stringify(manifest.runKey));
  }
  return manifest;
}

function isIsoTimestamp(value: string): boolean {
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value;
}

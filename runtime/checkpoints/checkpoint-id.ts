/**
 * Checkpoint ids are derived from what the checkpoint is, not when it was made: the first 128 bits
 * (32 hex digits) of SHA-256 over a canonical JSON of run key, step, name, parent, blob hash and
 * metadata. Why not a time-sortable random id (ULID)?
 *
 * - Saves run in Temporal activities, which are retried at least once in the face of crashes and
 *   timeouts. A retry of the same save yields the same id, hence the same manifest key, so a retry
 *   cannot leave a duplicate checkpoint behind; the store writes the manifest with
 *   If-None-Match: * and returns the one already there.
 * - Sort order is not needed from the id: the zero-padded step in the manifest key already orders
 *   listings, and `createdAt` breaks ties between checkpoints of the same step.
 * - Two genuinely different checkpoints at the same step (other metrics, other parent) get
 *   different ids and both survive, instead of one overwriting the other.
 * - The run key is part of the hash, so ids are unique across runs and a `parent` id names one
 *   checkpoint anywhere under the prefix (forks of a base model refer across runs).
 *
 * 128 bits leaves collisions out of reach (birthday bound ~2^64 checkpoints).
 */
import { createHash } from 'node:crypto';
import type { JsonValue } from './validation';

export interface CheckpointIdentity {
  runKey: string;
  step: number;
  name: string | null;
  parent: string | null;
  blobSha256: string;
  metadata: { [key: string]: JsonValue };
}

export function deriveCheckpointId(identity: CheckpointIdentity): string {
  const canonical = canonicalJson({
    v: 1,
    runKey: identity.runKey,
    step: identity.step,
    name: identity.name,
    parent: identity.parent,
    blob: identity.blobSha256,
    metadata: identity.metadata,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 32);
}

/**
 * JSON with object keys sorted (by UTF-16 code units, like Array#sort), so equal values always
 * serialise to equal text whatever order their keys were inserted in.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`);
  return `{${entries.join(',')}}`;
}

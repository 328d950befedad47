/**
 * Where things live in the bucket, relative to the store's prefix:
 *
 *   blobs/sha256/<64 hex>                                    checkpoint bytes, content-addressed
 *   runs/<encoded run key>/manifests/<16-digit step>-<id>.json  one manifest per checkpoint
 *   tmp/<random>                                             streamed uploads awaiting their hash
 *
 * Steps are zero-padded so that S3's lexicographic listing is also step order: the newest
 * checkpoint is the last key of a listing, with no manifest read needed to sort.
 */
import { createHash } from 'node:crypto';
import { CHECKPOINT_ID_PATTERN } from './validation';

/** Number.MAX_SAFE_INTEGER has 16 digits, so every valid step fits. */
export const STEP_DIGITS = 16;
/**
 * Encoded run keys longer than this are replaced by a hash, keeping the longest key (256-byte
 * prefix + 512 + the fixed parts, ~840 bytes) under S3's 1024-byte limit.
 */
export const MAX_ENCODED_RUN_KEY_CHARS = 512;

export function padStep(step: number): string {
  return String(step).padStart(STEP_DIGITS, '0');
}

/**
 * Run keys are free text (model ids like "org/llama-7b@v2"), so they are percent-encoded into one
 * path segment: every UTF-8 byte outside [A-Za-z0-9_.-] becomes %XX. That keeps '/' from creating
 * nested "folders" (run "a" must not list run "a/b"'s manifests), and keeps keys readable for
 * ASCII ids. A leading '.' is encoded too, so no segment is "." or ".." (which URL normalisation
 * in HTTP clients and proxies can collapse). '~' is always encoded, which frees the "~" prefix to
 * mark the hashed form used for keys that would otherwise be too long; the manifest itself records
 * the real run key, so nothing is lost.
 */
export function encodeRunKey(runKey: string): string {
  let out = '';
  for (const byte of Buffer.from(runKey, 'utf8')) {
    const isSafe =
      (byte >= 0x30 && byte <= 0x39) || // 0-9
      (byte >= 0x41 && byte <= 0x5a) || // A-Z
      (byte >= 0x61 && byte <= 0x7a) || // a-z
      byte === 0x5f || // _
      byte === 0x2d || // -
      (byte === 0x2e && out.length > 0); // . (not leading)
    out += isSafe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length <= MAX_ENCODED_RUN_KEY_CHARS) return out;
  return `~${createHash('sha256').update(runKey, 'utf8').digest('hex')}`;
}

/** The run key back from its segment, or undefined for the hashed form (read the manifest instead). */
export function decodeRunKey(segment: string): string | undefined {
  if (segment.startsWith('~')) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // not written by encodeRunKey
  }
}

export function blobKey(prefix: string, sha256Hex: string): string {
  return `${prefix}blobs/sha256/${sha256Hex}`;
}

export function runsPrefix(prefix: string): string {
  return `${prefix}runs/`;
}

export function manifestsPrefix(prefix: string, runKey: string): string {
  return `${runsPrefix(prefix)}${encodeRunKey(runKey)}/manifests/`;
}

export function manifestKey(prefix: string, runKey: string, step: number, checkpointId: string): string {
  return `${manifestsPrefix(prefix, runKey)}${padStep(step)}-${checkpointId}.json`;
}

export function tempPrefix(prefix: string): string {
  return `${prefix}tmp/`;
}

export interface ParsedManifestKey {
  encodedRunKey: string;
  step: number;
  checkpointId: string;
}

const MANIFEST_FILE = /^(\d{16})-([0-9a-f]{32})\.json$/;

/**
 * Splits a key found under `runs/` into its parts, or returns undefined for anything that is not a
 * manifest written by this layout (a stray upload, a README), which listings then skip.
 */
export function parseManifestKey(prefix: string, key: string): ParsedManifestKey | undefined {
  const base = runsPrefix(prefix);
  if (!key.startsWith(base)) return undefined;
  const parts = key.slice(base.length).split('/');
  if (parts.length !== 3 || parts[1] !== 'manifests') return undefined;
  const [encodedRunKey, , file] = parts;
  if (encodedRunKey === undefined || encodedRunKey === '' || file === undefined) return undefined;
  const match = MANIFEST_FILE.exec(file);
  if (!match || match[1] === undefined || match[2] === undefined || !CHECKPOINT_ID_PATTERN.test(match[2])) return undefined;
  const step = Number(match[1]);
  if (!Number.isSafeInteger(step)) return undefined;
  return { encodedRunKey, step, checkpointId: match[2] };
}

/** The S3 CopySource header value: bucket and key, URL-encoded per segment (S3 requires it). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

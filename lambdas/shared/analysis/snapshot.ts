import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FileRef } from '../../../domain/analysis/types';

/**
 * A repository snapshot in S3:
 *
 *   <prefix>/manifest.json      { version: 1, snapshotId, createdAt, files: [{ path, sha256, size }] }
 *   <prefix>/files/<path>       each file's bytes
 *
 * written by scripts/upload-snapshot.ts from a directory or a tarball. The manifest is the
 * snapshot's table of contents and its integrity record: every read checks the SHA-256 it lists
 * (for the original bytes; refactoring writes new versions of the files, recorded in its results).
 */
export interface SnapshotLocation {
  bucket: string;
  prefix: string;
}

export interface SnapshotManifest {
  version: 1;
  snapshotId: string;
  createdAt: string;
  files: FileRef[];
}

export const DEFAULT_SNAPSHOT_PREFIX = (snapshotId: string): string => `snapshots/${snapshotId}`;
export const manifestKey = (prefix: string): string => `${prefix.replace(/\/+$/, '')}/manifest.json`;
export const fileKey = (prefix: string, path: string): string => `${prefix.replace(/\/+$/, '')}/files/${path}`;

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export class SnapshotNotFound extends Error {
  override name = 'SnapshotNotFound';
}
export class SnapshotIntegrityError extends Error {
  override name = 'SnapshotIntegrityError';
}

export function validateManifest(raw: unknown, where: string): SnapshotManifest {
  const m = raw as Partial<SnapshotManifest> | null;
  if (!m || m.version !== 1 || !Array.isArray(m.files)) throw new SnapshotIntegrityError(`${where} is not a version-1 snapshot manifest`);
  for (const f of m.files) {
    if (typeof f?.path !== 'string' || f.path.startsWith('/') || f.path.split('/').includes('..') || !/^[0-9a-f]{64}$/.test(String(f.sha256)) || !Number.isInteger(f.size)) {
      throw new SnapshotIntegrityError(`${where} lists an invalid file entry: ${JSON.stringify(f)}`);
    }
  }
  return m as SnapshotManifest;
}

export async function readObject(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<{ bytes: Uint8Array; versionId: string | undefined; metadata: Record<string, string> }> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    return { bytes: await res.Body!.transformToByteArray(), versionId: res.VersionId, metadata: res.Metadata ?? {} };
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') throw new SnapshotNotFound(`s3://${bucket}/${key} does not exist`);
    throw err;
  }
}

export async function readManifest(s3: S3Client, location: SnapshotLocation): Promise<SnapshotManifest> {
  const key = manifestKey(location.prefix);
  const { bytes } = await readObject(s3, location.bucket, key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new SnapshotIntegrityError(`s3://${location.bucket}/${key} is not JSON`);
  }
  return validateManifest(parsed, `s3://${location.bucket}/${key}`);
}

/** A file's original bytes as the manifest lists them; a mismatch is an integrity error. */
export async function readSnapshotFile(s3: S3Client, location: SnapshotLocation, file: FileRef): Promise<string> {
  const { bytes } = await readObject(s3, location.bucket, fileKey(location.prefix, file.path));
  const actual = sha256Hex(bytes);
  if (actual !== file.sha256) throw new SnapshotIntegrityError(`${file.path}: SHA-256 ${actual} does not match the manifest's ${file.sha256}`);
  return Buffer.from(bytes).toString('utf8');
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

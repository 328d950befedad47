import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { localAwsClientConfig } from '../infra/local/config';
import { readStackOutputs } from '../infra/local/deploy';
import { DEFAULT_SNAPSHOT_PREFIX, fileKey, manifestKey, mapLimit, sha256Hex, type SnapshotManifest } from '../lambdas/shared/analysis/snapshot';
import { runMain } from './run-main';

/**
 * Uploads a repository snapshot for the analysis workflow: every file of a directory or a tarball
 * (.tar, .tar.gz, .tgz) under <prefix>/files/, then <prefix>/manifest.json listing each path with
 * its SHA-256 and size. The manifest goes last, so a snapshot with a manifest is complete.
 *
 *   npm run upload-snapshot -- <dir|tarball> [--snapshot-id <id>] [--bucket <name>] [--prefix <prefix>] [--json]
 *
 * Default bucket: the stack's AnalysisSnapshotBucketName; default prefix: snapshots/<snapshotId>.
 * .git and node_modules directories are skipped.
 */
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

export interface SnapshotUpload {
  snapshotId: string;
  bucket: string;
  prefix: string;
  files: number;
  bytes: number;
}

function readDirectory(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(full);
      } else if (st.isFile()) {
        files.set(relative(root, full).split(sep).join('/'), readFileSync(full));
      }
    }
  };
  walk(root);
  return files;
}

/** Regular files of a (gzipped) ustar/pax tarball; a single top-level directory is stripped. */
export function readTarball(bytes: Buffer): Map<string, Buffer> {
  const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const entries = new Map<string, Buffer>();
  let longName: string | undefined;
  let paxPath: string | undefined;
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!) || '0';
    const prefix = field(345, 155);
    const name = longName ?? paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      paxPath = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
      continue;
    }
    longName = undefined;
    paxPath = undefined;
    if (type !== '0' && type !== '\0') continue;
    const path = name.replace(/^\.\//, '');
    if (path.split('/').some((p) => SKIPPED_DIRS.has(p) || p === '..')) continue;
    entries.set(path, Buffer.from(body));
  }
  const tops = new Set([...entries.keys()].map((p) => p.split('/')[0]));
  if (tops.size === 1 && [...entries.keys()].every((p) => p.includes('/'))) {
    return new Map([...entries].map(([p, b]) => [p.slice(p.indexOf('/') + 1), b]));
  }
  return entries;
}

export async function uploadSnapshot(options: { source: string; bucket: string; snapshotId?: string; prefix?: string; s3: S3Client }): Promise<SnapshotUpload> {
  const snapshotId = options.snapshotId ?? randomUUID();
  const prefix = (options.prefix ?? DEFAULT_SNAPSHOT_PREFIX(snapshotId)).replace(/\/+$/, '');
  const files = statSync(options.source).isDirectory() ? readDirectory(options.source) : readTarball(readFileSync(options.source));
  if (files.size === 0) throw new Error(`${options.source} has no files`);
  const entries = [...files.entries()].sort(([a], [b]) => a.localeCompare(b));
  await mapLimit(entries, 8, ([path, body]) => options.s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: fileKey(prefix, path), Body: body, ContentType: 'text/plain; charset=utf-8' })));
  const manifest: SnapshotManifest = {
    version: 1,
    snapshotId,
    createdAt: new Date().toISOString(),
    files: entries.map(([path, body]) => ({ path, sha256: sha256Hex(body), size: body.byteLength })),
  };
  await options.s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: manifestKey(prefix), Body: JSON.stringify(manifest, null, 2), ContentType: 'application/json' }));
  return { snapshotId, bucket: options.bucket, prefix, files: entries.length, bytes: entries.reduce((s, [, b]) => s + b.byteLength, 0) };
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (require.main === module) {
  runMain(async () => {
    const args = process.argv.slice(2);
    const source = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--') && args[i - 1] !== '--json'));
    if (!source) throw new Error('usage: npm run upload-snapshot -- <dir|tarball> [--snapshot-id <id>] [--bucket <name>] [--prefix <prefix>] [--json]');
    const bucket = flag(args, '--bucket') ?? (readStackOutputs() as unknown as Record<string, string>).AnalysisSnapshotBucketName;
    if (!bucket) throw new Error('no --bucket and the stack has no AnalysisSnapshotBucketName output; run npm run local:up');
    const s3 = new S3Client({ ...localAwsClientConfig, forcePathStyle: true });
    const snapshotId = flag(args, '--snapshot-id');
    const prefix = flag(args, '--prefix');
    const result = await uploadSnapshot({ source, bucket, s3, ...(snapshotId ? { snapshotId } : {}), ...(prefix ? { prefix } : {}) });
    if (args.includes('--json')) console.log(JSON.stringify(result));
    else console.log(`uploaded ${result.files} files (${result.bytes} bytes) as snapshot ${result.snapshotId}: s3://${result.bucket}/${result.prefix}/manifest.json`);
  });
}

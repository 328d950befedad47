/**
 * Where training data lives in S3 (one bucket, TRAINING_BUCKET):
 *
 *   training/datasets/<datasetId>/{train.csv,test.csv,manifest.json}   generated once per spec
 *   training/state/sha256/<sha256>                                       model state between epochs
 *   training/checkpoints/...                                             CheckpointStore (runtime/checkpoints), run key = model id
 *
 * State objects are content-addressed and verified on read, so a retried epoch that writes the
 * same bytes writes the same key, and a damaged object is refused rather than trained on.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CheckpointStore, type CheckpointManifest } from '../../../runtime/checkpoints';
import { parseCsv, type Table } from './dataset';
import { CHECKPOINT_PREFIX } from './prefixes';
import { sha256Hex } from './state-codec';
import type { CheckpointSummary, StateRef } from './types';

export const datasetPrefix = (datasetId: string) => `training/datasets/${datasetId}/`;

export function trainingBucket(env: NodeJS.ProcessEnv = process.env): string {
  // The API function reaches the data bucket as its claim-check bucket.
  const bucket = env.TRAINING_BUCKET || env.CLAIM_CHECK_BUCKET;
  if (!bucket) throw new Error('environment variable TRAINING_BUCKET is not set');
  return bucket;
}

export function checkpointStore(s3: S3Client, bucket: string): CheckpointStore {
  return new CheckpointStore({ s3, bucket, prefix: CHECKPOINT_PREFIX });
}

export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return res.Body.transformToByteArray();
}

export async function putState(s3: S3Client, bucket: string, bytes: Uint8Array): Promise<StateRef> {
  const sha256 = sha256Hex(bytes);
  const key = `training/state/sha256/${sha256}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: 'application/octet-stream' }));
  return { key, sha256, sizeBytes: bytes.byteLength };
}

export class StateIntegrityError extends Error {
  override name = 'StateIntegrityError';
}

export async function getState(s3: S3Client, bucket: string, ref: StateRef): Promise<Uint8Array> {
  const bytes = await getBytes(s3, bucket, ref.key);
  const actual = sha256Hex(bytes);
  if (actual !== ref.sha256) throw new StateIntegrityError(`model state ${ref.key} hashes to ${actual}, expected ${ref.sha256}`);
  return bytes;
}

/** Datasets are immutable per id, so a warm function keeps the parsed tables. */
const tables = new Map<string, Promise<Table>>();

export function loadTable(s3: S3Client, bucket: string, key: string, sha256: string): Promise<Table> {
  const cacheKey = `${bucket}/${key}@${sha256}`;
  let table = tables.get(cacheKey);
  if (!table) {
    table = getBytes(s3, bucket, key).then((bytes) => {
      const actual = sha256Hex(bytes);
      if (actual !== sha256) throw new StateIntegrityError(`dataset ${key} hashes to ${actual}, expected ${sha256}`);
      return parseCsv(Buffer.from(bytes).toString('utf8'));
    });
    table.catch(() => tables.delete(cacheKey));
    tables.set(cacheKey, table);
  }
  return table;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function summarize(m: CheckpointManifest): CheckpointSummary {
  const meta = m.metadata as Record<string, unknown>;
  const metrics = (meta.metrics ?? {}) as Record<string, unknown>;
  const picked: CheckpointSummary['metrics'] = {};
  for (const k of ['loss', 'accuracy', 'testLoss', 'bestLoss'] as const) {
    const v = num(metrics[k]);
    if (v !== undefined) picked[k] = v;
  }
  return {
    checkpointId: m.checkpointId,
    modelId: m.runKey,
    epoch: m.step,
    createdAt: m.createdAt,
    trainingId: str(meta.trainingId),
    sampleMerkleRoot: str(meta.sampleMerkleRoot),
    weightsSha256: str(meta.weightsSha256),
    metrics: picked,
    blob: m.blob,
    parent: m.parent,
  };
}

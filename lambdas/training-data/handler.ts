import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CheckpointNotFoundError } from '../../runtime/checkpoints';
import { functionHandler } from '../../runtime/steps/handler';
import { s3 } from '../shared/aws';
import { GENERATOR_VERSION, generateDataset, normalizeDatasetSpec, toCsv, type DatasetSpec } from '../shared/ml/dataset';
import { sha256Hex } from '../shared/ml/state-codec';
import { checkpointStore, datasetPrefix, getState, putState, summarize, trainingBucket } from '../shared/ml/storage';
import type { TrainingCheckpointMetadata } from '../shared/ml/types';
import { trainingData, type PrepareDatasetResult } from './steps';

export class CheckpointNotFound extends Error {
  override name = 'CheckpointNotFound';
}

export class DatasetConflict extends Error {
  override name = 'DatasetConflict';
}

/** The dataset id: kind plus 16 hex digits of SHA-256 of the generator version and the normalized spec's JSON (fields in a fixed order). */
export function datasetIdOf(spec: DatasetSpec): string {
  const digest = createHash('sha256').update(JSON.stringify({ generator: GENERATOR_VERSION, spec: normalizeDatasetSpec(spec) })).digest('hex');
  return `${spec.kind}-${digest.slice(0, 16)}`;
}

async function readJson<T>(bucket: string, key: string): Promise<T | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await res.Body?.transformToString('utf8')) ?? 'null') as T;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 || (err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

/**
 * Datasets and checkpoints of the training workflow:
 * - prepareDataset: generates the spec's dataset (deterministic, dataset.ts) and writes train/test
 *   CSV and a manifest under training/datasets/<datasetId>/, unless they are there already.
 * - saveCheckpoint: the state at an epoch as a CheckpointStore checkpoint of run key = model id.
 * - resolveCheckpoint: 'latest' or a checkpoint id of a model, loaded and verified, its state
 *   put back in the state store for the next epoch.
 */
export const handler = functionHandler(trainingData, {
  async prepareDataset(input, { log }) {
    const bucket = trainingBucket();
    const spec = normalizeDatasetSpec(input.spec);
    const datasetId = datasetIdOf(spec);
    const prefix = datasetPrefix(datasetId);
    const { train, test } = generateDataset(spec);
    const trainCsv = Buffer.from(toCsv(train, spec.features));
    const testCsv = Buffer.from(toCsv(test, spec.features));
    const ref: PrepareDatasetResult = {
      datasetId,
      spec,
      bucket,
      trainKey: `${prefix}train.csv`,
      testKey: `${prefix}test.csv`,
      trainRows: train.length,
      testRows: test.length,
      features: spec.features,
      classes: spec.classes,
      trainSha256: sha256Hex(trainCsv),
      testSha256: sha256Hex(testCsv),
      created: false,
    };
    const existing = await readJson<{ trainSha256?: string; testSha256?: string }>(bucket, `${prefix}manifest.json`);
    if (existing && (existing.trainSha256 !== ref.trainSha256 || existing.testSha256 !== ref.testSha256)) {
      // Same id, other bytes: the generator changed without a GENERATOR_VERSION bump. Never train on it.
      throw new DatasetConflict(`dataset ${datasetId} in S3 differs from what this generator produces for its spec`);
    }
    if (!existing) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ref.trainKey, Body: trainCsv, ContentType: 'text/csv' }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ref.testKey, Body: testCsv, ContentType: 'text/csv' }));
      const { created: _created, ...manifest } = ref;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}manifest.json`, Body: JSON.stringify(manifest, null, 2), ContentType: 'application/json' }));
      ref.created = true;
    }
    log.info('dataset ready', { datasetId, created: ref.created, trainRows: ref.trainRows, testRows: ref.testRows });
    return ref;
  },

  async saveCheckpoint(input, { log }) {
    const bucket = trainingBucket();
    const store = checkpointStore(s3, bucket);
    const blob = await getState(s3, bucket, input.state);
    const manifest = await store.save(input.modelId, {
      name: `epoch-${input.epoch}`,
      step: input.epoch,
      blob,
      ...(input.parent ? { parent: input.parent } : {}),
      metadata: JSON.parse(JSON.stringify(input.metadata)) as Record<string, never>,
    });
    log.info('checkpoint saved', { modelId: input.modelId, epoch: input.epoch, checkpointId: manifest.checkpointId, sampleMerkleRoot: input.metadata.sampleMerkleRoot });
    return summarize(manifest);
  },

  async resolveCheckpoint(input, { log }) {
    const bucket = trainingBucket();
    const store = checkpointStore(s3, bucket);
    let loaded;
    try {
      loaded = await store.load(input.modelId, input.checkpoint);
    } catch (err) {
      if (err instanceof CheckpointNotFoundError) throw new CheckpointNotFound(`model "${input.modelId}" has no checkpoint "${input.checkpoint}"`);
      throw err;
    }
    const state = await putState(s3, bucket, loaded.body);
    log.info('checkpoint resolved', { modelId: input.modelId, checkpointId: loaded.manifest.checkpointId, epoch: loaded.manifest.step });
    return { checkpoint: summarize(loaded.manifest), metadata: loaded.manifest.metadata as unknown as TrainingCheckpointMetadata, state };
  },
});

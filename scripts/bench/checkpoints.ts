import { randomBytes, randomUUID } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { localAwsClientConfig } from '../../infra/local/config';
import { CheckpointStore, type CheckpointManifest } from '../../runtime/checkpoints';
import { median, row, timed } from './measure';

const MIB = 1024 * 1024;
const SIZE_MB = 64;
const ROUNDS = 5;
/** The store's defaults, spelled out so that the plain multipart baseline sends the same parts. */
const PART_BYTES = 8 * MIB;
const PARTS_IN_FLIGHT = 4;

/**
 * Saving and loading a 64 MB in-memory checkpoint through the store, against PutObject and
 * GetObject of the same number of bytes, and against a plain multipart upload of the same parts
 * (what the store's save does on the wire, minus everything the store adds: its hashing, the
 * deduplication check, the manifest). Rounds rotate which side goes first, so none always meets
 * LocalStack still busy with another's bytes; everything written is deleted at the end.
 */
export async function benchCheckpoints(bucket: string): Promise<void> {
  const s3 = new S3Client({ ...localAwsClientConfig, forcePathStyle: true });
  const prefix = `bench/${randomUUID()}/`;
  const store = new CheckpointStore({ s3, bucket, prefix: `${prefix}store/`, partSizeBytes: PART_BYTES, uploadConcurrency: PARTS_IN_FLIGHT });
  const mbps = (ms: number) => (SIZE_MB / ms) * 1000;
  const times = { save: [] as number[], put: [] as number[], multipart: [] as number[], load: [] as number[], get: [] as number[] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const blob = randomBytes(SIZE_MB * MIB); // fresh bytes: no deduplication shortcut
      // The raw objects live under other keys, so the store's content-addressed deduplication cannot skip its upload.
      const rawKey = `${prefix}raw/${r}`;
      let manifest: CheckpointManifest | undefined;
      const sides = [
        async () => {
          times.put.push(await timed(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: rawKey, Body: blob }))));
          times.get.push(await timed(async () => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: rawKey }))).Body!.transformToByteArray()));
        },
        async () => {
          times.multipart.push(await timed(() => plainMultipartUpload(s3, bucket, `${prefix}multipart/${r}`, blob)));
        },
        async () => {
          times.save.push(await timed(async () => (manifest = await store.save('bench-run', { step: r, blob }))));
          times.load.push(await timed(() => store.load('bench-run', manifest!.checkpointId)));
        },
      ];
      for (let i = 0; i < sides.length; i++) await sides[(r + i) % sides.length]!();
    }
  } finally {
    await deleteUnder(s3, bucket, prefix);
    s3.destroy();
  }
  const rate = (key: keyof typeof times) => mbps(median(times[key]));
  row(`checkpoint save ${SIZE_MB} MB vs PutObject`, `${rate('save').toFixed(0)} MB/s`, `${rate('put').toFixed(0)} MB/s`, rate('save') / rate('put'));
  row(`checkpoint save ${SIZE_MB} MB vs plain multipart upload`, `${rate('save').toFixed(0)} MB/s`, `${rate('multipart').toFixed(0)} MB/s`, rate('save') / rate('multipart'));
  row(`checkpoint load ${SIZE_MB} MB vs GetObject`, `${rate('load').toFixed(0)} MB/s`, `${rate('get').toFixed(0)} MB/s`, rate('load') / rate('get'));
}

/** The same parts as the store sends, with the SDK's default checksums and nothing else. */
async function plainMultipartUpload(s3: S3Client, bucket: string, key: string, blob: Uint8Array): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts: CompletedPart[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i * PART_BYTES < blob.byteLength; i = next++) {
      const result = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: blob.subarray(i * PART_BYTES, (i + 1) * PART_BYTES) }));
      parts[i] = { PartNumber: i + 1, ETag: result.ETag };
    }
  };
  await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, lane));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

async function deleteUnder(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
    if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

import { randomBytes, randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { localAwsClientConfig } from '../../infra/local/config';
import { CheckpointStore, type CheckpointManifest } from '../../runtime/checkpoints';
import { median, row, timed } from './measure';

const SIZE_MB = 64;
const ROUNDS = 5;

/**
 * Saving and loading a 64 MB in-memory checkpoint through the store, against PutObject and
 * GetObject of the same number of bytes. Rounds alternate which side goes first, so neither
 * always meets LocalStack still busy with the other's bytes; everything written is deleted after.
 */
export async function benchCheckpoints(bucket: string): Promise<void> {
  const s3 = new S3Client({ ...localAwsClientConfig, forcePathStyle: true });
  const prefix = `bench/${randomUUID()}/`;
  const store = new CheckpointStore({ s3, bucket, prefix: `${prefix}store/` });
  const mbps = (ms: number) => (SIZE_MB / ms) * 1000;
  const save: number[] = [];
  const put: number[] = [];
  const load: number[] = [];
  const get: number[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const blob = randomBytes(SIZE_MB * 1024 * 1024); // fresh bytes: no deduplication shortcut
      // The raw object lives under another key, so the store's content-addressed deduplication cannot skip this upload.
      const key = `${prefix}raw/${r}`;
      let manifest: CheckpointManifest | undefined;
      const raw = async () => {
        put.push(await timed(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: blob }))));
        get.push(await timed(async () => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()));
      };
      const ours = async () => {
        save.push(await timed(async () => (manifest = await store.save('bench-run', { step: r, blob }))));
        load.push(await timed(() => store.load('bench-run', manifest!.checkpointId)));
      };
      if (r % 2 === 0) {
        await raw();
        await ours();
      } else {
        await ours();
        await raw();
      }
    }
  } finally {
    await deleteUnder(s3, bucket, prefix);
    s3.destroy();
  }
  row(`checkpoint save ${SIZE_MB} MB vs PutObject`, `${mbps(median(save)).toFixed(0)} MB/s`, `${mbps(median(put)).toFixed(0)} MB/s`, mbps(median(save)) / mbps(median(put)));
  row(`checkpoint load ${SIZE_MB} MB vs GetObject`, `${mbps(median(load)).toFixed(0)} MB/s`, `${mbps(median(get)).toFixed(0)} MB/s`, mbps(median(load)) / mbps(median(get)));
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

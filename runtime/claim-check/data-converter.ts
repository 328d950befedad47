import { S3Client } from '@aws-sdk/client-s3';
import type { DataConverter } from '@temporalio/common';
import { ClaimCheckCodec } from './codec';
import { ClaimCheckStore, DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES } from './store';

/**
 * The data converter every Temporal client and worker of a deployment must share: large payloads
 * go to the claim-check bucket. Configured from CLAIM_CHECK_BUCKET (none: payloads stay inline)
 * and CLAIM_CHECK_THRESHOLD_BYTES (default 256 KiB).
 */
export function claimCheckDataConverter(env: NodeJS.ProcessEnv = process.env, s3?: S3Client): DataConverter | undefined {
  const bucket = env.CLAIM_CHECK_BUCKET;
  if (!bucket) return undefined;
  const store = new ClaimCheckStore({ s3: s3 ?? new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' }), bucket });
  return { payloadCodecs: [new ClaimCheckCodec(store, claimCheckThreshold(env))] };
}

export function claimCheckThreshold(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CLAIM_CHECK_THRESHOLD_BYTES;
  if (raw === undefined || raw === '') return DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1024) {
    throw new Error(`CLAIM_CHECK_THRESHOLD_BYTES must be a whole number of bytes ≥ 1024, got "${raw}"`);
  }
  return value;
}

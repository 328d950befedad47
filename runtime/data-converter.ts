import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { ClaimCheckCodec } from './claim-check/codec';
import { ClaimCheckStore, DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES } from './claim-check/store';
import { KmsPayloadCodec } from './encryption/kms-codec';

/**
 * The data converter that every Temporal client and worker of a deployment must share, from the
 * environment:
 *
 * - PAYLOAD_KMS_KEY_ID: encrypt every payload with data keys from this KMS key (runtime/encryption);
 *   unset, payloads are stored as they are.
 * - CLAIM_CHECK_BUCKET: payloads above CLAIM_CHECK_THRESHOLD_BYTES (default 256 KiB) go to this S3
 *   bucket and a reference takes their place (runtime/claim-check); unset, payloads stay inline.
 *
 * Encryption runs first, so a claim-checked payload is ciphertext in S3 too.
 */
export function payloadDataConverter(env: NodeJS.ProcessEnv = process.env, clients: { s3?: S3Client; kms?: KMSClient } = {}): DataConverter | undefined {
  const codecs: PayloadCodec[] = [];
  const keyId = env.PAYLOAD_KMS_KEY_ID;
  if (keyId) codecs.push(new KmsPayloadCodec({ kms: clients.kms ?? new KMSClient({}), keyId }));
  const bucket = env.CLAIM_CHECK_BUCKET;
  if (bucket) {
    const s3 = clients.s3 ?? new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' });
    codecs.push(new ClaimCheckCodec(new ClaimCheckStore({ s3, bucket }), claimCheckThreshold(env)));
  }
  return codecs.length > 0 ? { payloadCodecs: codecs } : undefined;
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

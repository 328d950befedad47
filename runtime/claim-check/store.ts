import { createHash } from 'node:crypto';
import { CLAIM_CHECK_PREFIX, isClaimCheckRef, type ClaimCheckRef } from './ref';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Content-addressed storage for payloads too large to pass inline (Temporal's 2 MB payload limit,
 * Lambda's 6 MB invoke limit, Step Functions' 256 KiB). The key is the SHA-256 of the bytes, so the
 * same payload crossing several hops (client → workflow → activity → Lambda) is stored once, and a
 * reader can always check it got exactly what was written.
 */

export type ClaimCheckErrorCode = 'HASH_MISMATCH' | 'OBJECT_MISSING' | 'INVALID_REFERENCE';

export class ClaimCheckError extends Error {
  override readonly name = 'ClaimCheckError';
  constructor(
    readonly code: ClaimCheckErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES = 256 * 1024;

export interface ClaimCheckStoreOptions {
  s3: S3Client;
  bucket: string;
  /** Key prefix of stored payloads. Default CLAIM_CHECK_PREFIX (`claim-checks/`); a lifecycle rule can expire it. */
  prefix?: string;
}

export class ClaimCheckStore {
  private readonly prefix: string;

  constructor(private readonly options: ClaimCheckStoreOptions) {
    this.prefix = options.prefix ?? CLAIM_CHECK_PREFIX;
  }

  /** Stores the bytes unless an object with the same hash is already there. */
  async put(bytes: Uint8Array): Promise<ClaimCheckRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ref: ClaimCheckRef = { bucket: this.options.bucket, key: `${this.prefix}sha256/${sha256}`, sha256, sizeBytes: bytes.byteLength };
    if (!(await this.exists(ref))) {
      await this.options.s3.send(
        new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, Body: bytes, ContentType: 'application/octet-stream', Metadata: { sha256 } }),
      );
    }
    return ref;
  }

  /** Reads the bytes a reference names and checks their hash and size; never returns unverified data. */
  async get(ref: ClaimCheckRef): Promise<Uint8Array> {
    assertRef(ref);
    let bytes: Uint8Array;
    try {
      const res = await this.options.s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      bytes = await res.Body!.transformToByteArray();
    } catch (err) {
      if (err instanceof NoSuchKey || (err as Error).name === 'NoSuchKey') {
        throw new ClaimCheckError('OBJECT_MISSING', `claim-check object s3://${ref.bucket}/${ref.key} does not exist (expired or deleted?)`);
      }
      throw err;
    }
    const found = createHash('sha256').update(bytes).digest('hex');
    if (found !== ref.sha256 || bytes.byteLength !== ref.sizeBytes) {
      throw new ClaimCheckError(
        'HASH_MISMATCH',
        `claim-check object s3://${ref.bucket}/${ref.key} is corrupt: want sha256 ${ref.sha256} (${ref.sizeBytes} bytes), found ${found} (${bytes.byteLength} bytes)`,
      );
    }
    return bytes;
  }

  private async exists(ref: ClaimCheckRef): Promise<boolean> {
    try {
      const head = await this.options.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      // An object at the address with another size is damaged; overwrite it with the right bytes.
      return head.ContentLength === ref.sizeBytes;
    } catch (err) {
      if (err instanceof NotFound || (err as Error).name === 'NotFound' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        return false;
      }
      throw err;
    }
  }
}


function assertRef(ref: ClaimCheckRef): void {
  if (!isClaimCheckRef(ref) || !/^[0-9a-f]{64}$/.test(ref.sha256) || !Number.isSafeInteger(ref.sizeBytes) || ref.sizeBytes < 0) {
    throw new ClaimCheckError('INVALID_REFERENCE', `not a claim-check reference: ${JSON.stringify(ref)?.slice(0, 200)}`);
  }
}

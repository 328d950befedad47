/**
 * One S3 multipart upload, with a bounded number of parts in flight. Parts are sent while the
 * caller keeps reading its source, and `write` waits for a free slot, so memory stays at about
 * (concurrency + 1) parts whatever the blob's size.
 *
 * Every part carries its SHA-256, computed by the caller while it hashed the blob (part-hashing.ts),
 * as the checksum S3 verifies on arrival and as the signed payload hash: a part damaged in transit
 * is refused rather than stitched into the object, and the SDK does not hash the part again.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CheckpointValidationError } from './errors';
import { hexToBase64, signedWithSha256 } from './known-sha256';
import type { HashedPart } from './part-hashing';
import { S3_MAX_PARTS } from './validation';

export interface MultipartTarget {
  s3: S3Client;
  bucket: string;
  key: string;
  concurrency: number;
  signal?: AbortSignal;
}

export class MultipartUpload {
  private readonly done: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  private nextPartNumber = 1;

  private constructor(
    private readonly target: MultipartTarget,
    readonly uploadId: string,
  ) {}

  static async start(target: MultipartTarget): Promise<MultipartUpload> {
    const created = await target.s3.send(
      new CreateMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        ContentType: 'application/octet-stream',
        ChecksumAlgorithm: 'SHA256',
      }),
      { abortSignal: target.signal },
    );
    if (created.UploadId === undefined) throw new Error(`S3 started a multipart upload of "${target.key}" without returning an UploadId`);
    return new MultipartUpload(target, created.UploadId);
  }

  get key(): string {
    return this.target.key;
  }

  get partsStarted(): number {
    return this.nextPartNumber - 1;
  }

  /** Queues one part of bytes; resolves once it is in flight (not once it has landed). */
  async write(part: HashedPart, maxTotalBytesHint: string): Promise<void> {
    const { s3, bucket, key, signal } = this.target;
    await this.enqueue(maxTotalBytesHint, async (partNumber) => {
      const command = new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: this.uploadId,
        PartNumber: partNumber,
        Body: part.body,
        ContentLength: part.body.byteLength,
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: hexToBase64(part.sha256),
      });
      const result = await s3.send(signedWithSha256(command, part.sha256), { abortSignal: signal });
      return { PartNumber: partNumber, ETag: result.ETag, ChecksumSHA256: result.ChecksumSHA256 };
    });
  }

  /** Queues a server-side copy of `source` bytes [first, last] (inclusive) as the next part. */
  async copyPart(source: string, first: number, last: number): Promise<void> {
    const { s3, bucket, key, signal } = this.target;
    await this.enqueue('(copy)', async (partNumber) => {
      const result = await s3.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: key,
          UploadId: this.uploadId,
          PartNumber: partNumber,
          CopySource: source,
          CopySourceRange: `bytes=${first}-${last}`,
        }),
        { abortSignal: signal },
      );
      return { PartNumber: partNumber, ETag: result.CopyPartResult?.ETag, ChecksumSHA256: result.CopyPartResult?.ChecksumSHA256 };
    });
  }

  private async enqueue(maxTotalBytesHint: string, send: (partNumber: number) => Promise<CompletedPart>): Promise<void> {
    while (this.inFlight.size >= this.target.concurrency) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const partNumber = this.nextPartNumber;
    if (partNumber > S3_MAX_PARTS) {
      throw new CheckpointValidationError('blob', `at most ${S3_MAX_PARTS} parts (${maxTotalBytesHint}; raise partSizeBytes)`, 'a longer blob');
    }
    this.nextPartNumber += 1;
    // The tracked promise never rejects: a failure is recorded and surfaced by the next
    // write/drain, so a part failing while the caller is busy cannot become an unhandled rejection.
    const tracked: Promise<void> = send(partNumber)
      .then((part) => {
        if (part.ETag === undefined) throw new Error(`S3 accepted part ${partNumber} of "${this.target.key}" without an ETag`);
        this.done.push(part);
      })
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.inFlight.delete(tracked);
      });
    this.inFlight.add(tracked);
  }

  /** Waits for every part in flight; throws the first part failure. */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  async complete(): Promise<void> {
    await this.drain();
    const parts = [...this.done].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await this.target.s3.send(
      new CompleteMultipartUploadCommand({ Bucket: this.target.bucket, Key: this.target.key, UploadId: this.uploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: this.target.signal },
    );
  }

  /**
   * Discards the upload and every part stored so far. Parts still in flight are waited for first:
   * one landing after the abort could otherwise linger. Deliberately not tied to the caller's
   * abort signal, since cleanup must run precisely when the caller has given up.
   */
  async abort(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.target.s3.send(new AbortMultipartUploadCommand({ Bucket: this.target.bucket, Key: this.target.key, UploadId: this.uploadId }));
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/**
 * Writing a blob to its content address, `<prefix>blobs/sha256/<hex>`, exactly once.
 *
 * The address is the SHA-256 of the bytes, which for a stream is known only after the last byte.
 * So a stream is handled in one of two ways:
 *
 * - It ends within `multipartThresholdBytes`: it was buffered (that much memory is the price of
 *   the threshold), the hash is now known, and it is PUT straight to its address with
 *   `ChecksumSHA256`, so S3 itself refuses bytes that do not hash to the key they are stored at.
 * - It is longer: it is sent as a multipart upload to a temporary key (`<prefix>tmp/<uuid>`) while
 *   being hashed, each part going out as soon as it is full and hashed. At the end, if the
 *   address already holds the blob, the upload is aborted, so a duplicate is never even
 *   materialised. Otherwise the upload is completed and server-side copied
 *   to the address (no bytes go through this process again), then the temporary object deleted.
 *   The copy asks S3 for a full-object SHA-256 of what it wrote and checks it against the hash
 *   computed here, which closes the loop end to end. CopyObject is limited to 5 GiB; larger blobs
 *   are copied with UploadPartCopy in `copyPartSizeBytes` ranges (S3 then keeps only per-part
 *   checksums, so that end-to-end check is skipped, and `load` remains the verifier).
 *
 * Why not buffer everything, or spool to local disk, and upload once the hash is known? Lambda has
 * little memory and 512 MB of /tmp by default; checkpoints of large models do not fit either.
 *
 * In-memory blobs (Uint8Array) are hashed first and go straight to their address (single PUT or
 * multipart), skipping the temporary key.
 *
 * Either way the bytes are hashed once, in one pass: the blob's SHA-256 and each part's are computed
 * together (part-hashing.ts), and the part's doubles as the checksum S3 verifies and the signed
 * payload hash (known-sha256.ts), so the SDK hashes nothing again. In-memory parts are views of the
 * caller's array; a stream's bytes are copied once, into the part buffer they are sent from.
 *
 * Nothing half-written is left on failure: a multipart upload is aborted, a completed temporary
 * object deleted, and the address is only ever written whole (PUT, CompleteMultipartUpload and
 * CopyObject are atomic in S3). Only a process killed mid-upload leaves debris, and only under
 * `tmp/` or as an incomplete multipart upload, which `sweepIncomplete` (or a lifecycle rule with
 * AbortIncompleteMultipartUpload) reclaims.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CheckpointError, CheckpointIntegrityError, CheckpointUploadError, CheckpointValidationError, describeValue } from './errors';
import { hexToBase64, signedWithSha256 } from './known-sha256';
import { blobKey, copySource, tempPrefix } from './layout';
import type { BlobRef } from './manifest';
import { MultipartUpload } from './multipart';
import { BlobHasher, HASH_SLICE_BYTES, hashInParts, type HashedPart } from './part-hashing';
import { isNotFound } from './s3-ops';
import { S3_MAX_PARTS } from './validation';

export interface UploadSettings {
  s3: S3Client;
  bucket: string;
  prefix: string;
  multipartThresholdBytes: number;
  partSizeBytes: number;
  uploadConcurrency: number;
  singleCopyLimitBytes: number;
  copyPartSizeBytes: number;
}

export type BlobSource = Uint8Array | AsyncIterable<unknown>;

export interface StoredBlob extends BlobRef {
  /** True if the address already held these bytes and nothing was uploaded. */
  deduplicated: boolean;
}

export function isBlobSource(value: unknown): value is BlobSource {
  return (
    value instanceof Uint8Array ||
    (typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function')
  );
}

export async function storeBlob(settings: UploadSettings, source: BlobSource, signal?: AbortSignal): Promise<StoredBlob> {
  try {
    if (source instanceof Uint8Array) {
      if (source.byteLength <= settings.multipartThresholdBytes) {
        return await storeKnownBytes(settings, source, createHash('sha256').update(source).digest('hex'), [], signal);
      }
      const { sha256, parts } = hashInParts(source, settings.partSizeBytes);
      return await storeKnownBytes(settings, source, sha256, parts, signal);
    }
    return await storeStream(settings, source, signal);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointUploadError(`saving the checkpoint blob failed: ${messageOf(err)}`, err);
  }
}

/**
 * Bytes whose hash is known, to their address: one PUT up to the threshold, else `parts` (hashed
 * by the caller in the same pass as the whole) as a multipart upload.
 */
async function storeKnownBytes(settings: UploadSettings, bytes: Uint8Array, sha256: string, parts: HashedPart[], signal?: AbortSignal): Promise<StoredBlob> {
  const { s3, bucket, prefix, multipartThresholdBytes } = settings;
  const ref: BlobRef = { key: blobKey(prefix, sha256), sha256, sizeBytes: bytes.byteLength };
  if (await holdsBlob(s3, bucket, ref, signal)) return { ...ref, deduplicated: true };
  if (bytes.byteLength <= multipartThresholdBytes) {
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: ref.key,
      Body: bytes,
      ContentLength: bytes.byteLength,
      ContentType: 'application/octet-stream',
      ChecksumSHA256: hexToBase64(sha256),
    });
    await s3.send(signedWithSha256(command, sha256), { abortSignal: signal });
    return { ...ref, deduplicated: false };
  }
  const upload = await MultipartUpload.start({ s3, bucket, key: ref.key, concurrency: settings.uploadConcurrency, signal });
  try {
    for (const part of parts) {
      signal?.throwIfAborted();
      await upload.write(part, maxBytesHint(settings));
    }
    await upload.complete();
  } catch (err) {
    return await cleanUpAndThrow(err, () => upload.abort(), `uploading blob ${ref.key}`);
  }
  return { ...ref, deduplicated: false };
}

async function storeStream(settings: UploadSettings, source: AsyncIterable<unknown>, signal?: AbortSignal): Promise<StoredBlob> {
  const { s3, bucket, prefix, multipartThresholdBytes, partSizeBytes } = settings;
  const hasher = new BlobHasher();
  let total = 0;
  // Bytes are copied into part-sized buffers as they arrive: a producer may reuse its chunk buffer
  // once it has yielded it, and a part must hold the bytes that were hashed (so the copy is what
  // gets hashed). allocUnsafe does not touch the pages, so a small stream does not pay for a whole part.
  const fullParts: HashedPart[] = [];
  let current = Buffer.allocUnsafe(partSizeBytes);
  let fill = 0;
  let upload: MultipartUpload | undefined;
  const tempKey = `${tempPrefix(prefix)}${randomUUID()}`;

  try {
    for await (const chunk of source) {
      signal?.throwIfAborted();
      if (!(chunk instanceof Uint8Array)) {
        throw new CheckpointValidationError('blob', 'a stream of Uint8Array (Buffer) chunks', `a chunk that is ${describeValue(chunk)}`);
      }
      total += chunk.byteLength;
      for (let offset = 0; offset < chunk.byteLength; ) {
        // Slice by slice, so that the bytes just copied are still in cache when they are hashed.
        const n = Math.min(partSizeBytes - fill, chunk.byteLength - offset, HASH_SLICE_BYTES);
        current.set(chunk.subarray(offset, offset + n), fill);
        hasher.update(current.subarray(fill, fill + n));
        fill += n;
        offset += n;
        if (fill === partSizeBytes) {
          fullParts.push({ body: current, sha256: hasher.endPart() });
          current = Buffer.allocUnsafe(partSizeBytes);
          fill = 0;
        }
      }
      if (upload === undefined && total > multipartThresholdBytes) {
        upload = await MultipartUpload.start({ s3, bucket, key: tempKey, concurrency: settings.uploadConcurrency, signal });
      }
      // Waiting here for a free slot is the backpressure: the source is not read further meanwhile.
      if (upload !== undefined) for (let part = fullParts.shift(); part !== undefined; part = fullParts.shift()) await upload.write(part, maxBytesHint(settings));
    }
  } catch (err) {
    const started = upload;
    if (started === undefined) throw err;
    return await cleanUpAndThrow(err, () => started.abort(), 'reading the blob stream');
  }

  const tail: HashedPart = { body: current.subarray(0, fill), sha256: hasher.endPart() };
  const sha256 = hasher.digest();
  if (upload === undefined) {
    const bytes = fullParts.length === 0 ? tail.body : Buffer.concat([...fullParts.map((p) => p.body), tail.body]);
    return storeKnownBytes(settings, bytes, sha256, [], signal);
  }

  const ref: BlobRef = { key: blobKey(prefix, sha256), sha256, sizeBytes: total };
  const multipart = upload;
  try {
    if (tail.body.byteLength > 0) await multipart.write(tail, maxBytesHint(settings));
    await multipart.drain();
    if (await holdsBlob(s3, bucket, ref, signal)) {
      // Best effort: the blob is in place, so a failed abort costs storage until the next sweep,
      // not correctness.
      await multipart.abort().catch(() => undefined);
      return { ...ref, deduplicated: true };
    }
    await multipart.complete();
  } catch (err) {
    return await cleanUpAndThrow(err, () => multipart.abort(), `uploading blob ${ref.key} via ${tempKey}`);
  }

  try {
    await copyIntoPlace(settings, tempKey, ref, signal);
  } catch (err) {
    return await cleanUpAndThrow(err, () => deleteObject(s3, bucket, tempKey), `copying ${tempKey} to ${ref.key}`);
  }
  // Best effort, as above: the blob is in place; a leftover temporary object is swept later.
  await deleteObject(s3, bucket, tempKey).catch(() => undefined);
  return { ...ref, deduplicated: false };
}

async function copyIntoPlace(settings: UploadSettings, tempKey: string, ref: BlobRef, signal?: AbortSignal): Promise<void> {
  const { s3, bucket } = settings;
  const source = copySource(bucket, tempKey);
  if (ref.sizeBytes <= settings.singleCopyLimitBytes) {
    const copied = await s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: ref.key, CopySource: source, ChecksumAlgorithm: 'SHA256' }),
      { abortSignal: signal },
    );
    const reported = copied.CopyObjectResult?.ChecksumSHA256;
    // A value with '-N' is a composite (per-part) checksum, not comparable with the object hash.
    if (reported !== undefined && !reported.includes('-') && reported !== hexToBase64(ref.sha256)) {
      await deleteObject(s3, bucket, ref.key);
      throw new CheckpointIntegrityError('HASH_MISMATCH', ref.key, `sha256 ${ref.sha256} (hashed while uploading)`, `sha256 ${base64ToHex(reported)} (reported by S3 for the copy)`);
    }
    return;
  }
  const partSize = Math.max(settings.copyPartSizeBytes, Math.ceil(ref.sizeBytes / S3_MAX_PARTS));
  const upload = await MultipartUpload.start({ s3, bucket, key: ref.key, concurrency: settings.uploadConcurrency, signal });
  try {
    for (let first = 0; first < ref.sizeBytes; first += partSize) {
      await upload.copyPart(source, first, Math.min(first + partSize, ref.sizeBytes) - 1);
    }
    await upload.complete();
  } catch (err) {
    return await cleanUpAndThrow(err, () => upload.abort(), `copying ${tempKey} to ${ref.key} in parts`);
  }
}

/**
 * Does the content address already hold this blob? Size must match, and so must a full-object
 * SHA-256 if S3 has one (objects PUT or copied by this module do). A damaged object at the address
 * therefore counts as absent and gets overwritten with good bytes, instead of being deduplicated
 * onto.
 */
async function holdsBlob(s3: S3Client, bucket: string, ref: BlobRef, signal?: AbortSignal): Promise<boolean> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: ref.key, ChecksumMode: 'ENABLED' }), { abortSignal: signal });
    if (head.ContentLength !== ref.sizeBytes) return false;
    const sha = head.ChecksumSHA256;
    if (sha !== undefined && head.ChecksumType !== 'COMPOSITE' && !sha.includes('-') && sha !== hexToBase64(ref.sha256)) return false;
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/**
 * Runs the cleanup for a failed upload and throws. Validation errors (a bad chunk, too many parts)
 * pass through as themselves when cleanup worked, since they say what to fix; anything else
 * becomes an UPLOAD_FAILED error with the original as `cause`.
 */
async function cleanUpAndThrow(err: unknown, cleanup: () => Promise<void>, doing: string): Promise<never> {
  let cleanupError: unknown;
  try {
    await cleanup();
  } catch (e) {
    cleanupError = e;
  }
  if (cleanupError === undefined && err instanceof CheckpointError) throw err;
  const cleanupNote =
    cleanupError === undefined
      ? 'the partial upload was discarded'
      : `discarding the partial upload failed too (${messageOf(cleanupError)}); sweepIncomplete() will reclaim it`;
  throw new CheckpointUploadError(`${doing} failed: ${messageOf(err)}; ${cleanupNote}`, err, cleanupError);
}

function maxBytesHint(settings: UploadSettings): string {
  return `${S3_MAX_PARTS * settings.partSizeBytes} bytes with partSizeBytes=${settings.partSizeBytes}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function base64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}

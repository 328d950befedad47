/**
 * Named, verified checkpoints of a run (a training job, a model id) in S3, for workflows that must
 * resume where they left off. See layout.ts for where objects live, blob-upload.ts for how bytes
 * get there, and checkpoint-id.ts for why ids are derived rather than random.
 *
 * Runs in the worker and in Lambda handlers, never in workflow code (it does I/O).
 *
 * Permissions needed on the bucket: s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket
 * (without it S3 answers 403 instead of 404 for a missing key, and dedupe cannot tell "absent"),
 * s3:AbortMultipartUpload and s3:ListBucketMultipartUploads (for sweepIncomplete).
 */
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isBlobSource, storeBlob, type UploadSettings } from './blob-upload';
import { deriveCheckpointId } from './checkpoint-id';
import { CheckpointIntegrityError, CheckpointNotFoundError, CheckpointUploadError, CheckpointValidationError, describeValue } from './errors';
import { manifestKey, manifestsPrefix, parseManifestKey, runsPrefix, tempPrefix, type ParsedManifestKey } from './layout';
import { FORMAT_VERSION, parseManifest, serializeManifest, type CheckpointManifest } from './manifest';
import { atHighestStep, pickLatest, sortCheckpoints } from './ordering';
import { selectRetained, validateRetentionPolicy, type RetentionPolicy } from './retention';
import { deleteKeys, isConditionalWriteConflict, isNotFound, listKeys, listObjects, mapLimit } from './s3-ops';
import { checkLength, readVerified, verifyingStream } from './verify';
import {
  S3_MAX_SINGLE_BYTES,
  S3_MIN_PART_BYTES,
  validateInteger,
  validateCheckpointId,
  validateMetadata,
  validateName,
  validatePrefix,
  validateRunKey,
  validateStep,
  type JsonObject,
} from './validation';

const MIB = 1024 * 1024;

export interface CheckpointStoreOptions {
  /** A client for the bucket's region; against LocalStack, with `forcePathStyle: true`. */
  s3: S3Client;
  bucket: string;
  /** Key prefix for everything the store writes: '' or ending in '/'. Default 'checkpoints/'. */
  prefix?: string;
  /** Blobs up to this size are sent in one PUT (streams are buffered up to it). Default 16 MiB. */
  multipartThresholdBytes?: number;
  /** Multipart part size, 5 MiB..5 GiB; also caps a streamed blob at 10,000 parts. Default 8 MiB. */
  partSizeBytes?: number;
  /** Parts in flight per upload; memory is about (this + 1) × partSizeBytes. Default 4. */
  uploadConcurrency?: number;
  /** Largest blob moved from the temporary key with one CopyObject (S3's limit, 5 GiB, by default). */
  singleCopyLimitBytes?: number;
  /** Range size for UploadPartCopy above that limit. Default 512 MiB. */
  copyPartSizeBytes?: number;
}

export interface SaveCheckpointInput {
  /** A label for humans ("epoch-3", "best"); not unique, not used for lookup. */
  name?: string;
  step: number;
  /**
   * The checkpoint bytes. Streams are read once, to the end; their chunks must be Uint8Array
   * (Buffer). An in-memory array must not be modified until save resolves.
   */
  blob: Uint8Array | Readable | AsyncIterable<Uint8Array>;
  /** The id of the checkpoint this one continues from; recorded as lineage, not checked. */
  parent?: string;
  /** Metrics, RNG state, hyperparameters: any JSON object, up to 1 MiB. */
  metadata?: JsonObject;
}

export interface CallOptions {
  /** Cancels the S3 calls (pass an activity's cancellationSignal). Cleanup still runs. */
  signal?: AbortSignal;
}

export interface LoadedCheckpoint {
  manifest: CheckpointManifest;
  /** Verified against the manifest's SHA-256 and size. */
  body: Uint8Array;
}

export interface StreamedCheckpoint {
  manifest: CheckpointManifest;
  /** Verified as it is read: it errors with HASH_MISMATCH instead of ending if the bytes are wrong. */
  stream: Readable;
}

export interface PruneResult {
  kept: CheckpointManifest[];
  deleted: CheckpointManifest[];
  /** Blobs of deleted checkpoints that nothing references any more, now deleted. */
  deletedBlobKeys: string[];
  /** Blobs of deleted checkpoints kept because a remaining manifest (of any run) references them. */
  retainedBlobKeys: string[];
}

export interface SweepResult {
  abortedUploads: { key: string; uploadId: string }[];
  deletedTempKeys: string[];
}

/** Manifests are small; this many are fetched at once when a listing needs their contents. */
const MANIFEST_READ_CONCURRENCY = 16;

export class CheckpointStore {
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly upload: UploadSettings;

  constructor(options: CheckpointStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new CheckpointValidationError('options', 'an object', describeValue(options));
    if (typeof options.bucket !== 'string' || options.bucket === '') {
      throw new CheckpointValidationError('options.bucket', 'a non-empty bucket name', describeValue(options.bucket));
    }
    if (typeof options.s3?.send !== 'function') throw new CheckpointValidationError('options.s3', 'an S3Client', describeValue(options.s3));
    this.s3 = options.s3;
    this.bucket = options.bucket;
    this.prefix = validatePrefix(options.prefix ?? 'checkpoints/');
    const partSizeBytes = validateInteger(options.partSizeBytes ?? 8 * MIB, 'options.partSizeBytes', S3_MIN_PART_BYTES, S3_MAX_SINGLE_BYTES);
    this.upload = {
      s3: this.s3,
      bucket: this.bucket,
      prefix: this.prefix,
      multipartThresholdBytes: validateInteger(options.multipartThresholdBytes ?? 16 * MIB, 'options.multipartThresholdBytes', 0, S3_MAX_SINGLE_BYTES),
      partSizeBytes,
      uploadConcurrency: validateInteger(options.uploadConcurrency ?? 4, 'options.uploadConcurrency', 1, 64, 'parts'),
      singleCopyLimitBytes: validateInteger(options.singleCopyLimitBytes ?? S3_MAX_SINGLE_BYTES, 'options.singleCopyLimitBytes', 0, S3_MAX_SINGLE_BYTES),
      copyPartSizeBytes: validateInteger(options.copyPartSizeBytes ?? 512 * MIB, 'options.copyPartSizeBytes', S3_MIN_PART_BYTES, S3_MAX_SINGLE_BYTES),
    };
  }

  /**
   * Stores the blob (once per content), then the manifest. The manifest goes last so that one
   * never exists without its blob. Saving the same thing twice (an activity retry) returns the
   * manifest written the first time.
   */
  async save(runKey: string, input: SaveCheckpointInput, options: CallOptions = {}): Promise<CheckpointManifest> {
    validateRunKey(runKey);
    if (typeof input !== 'object' || input === null) throw new CheckpointValidationError('input', 'an object', describeValue(input));
    const step = validateStep(input.step);
    const name = input.name === undefined ? null : validateName(input.name);
    const parent = input.parent === undefined ? null : validateCheckpointId(input.parent, 'parent');
    const metadata = validateMetadata(input.metadata ?? {});
    if (!isBlobSource(input.blob)) {
      throw new CheckpointValidationError('blob', 'a Uint8Array, a Readable or an AsyncIterable<Uint8Array>', describeValue(input.blob));
    }
    // Copied so that later changes by the caller cannot desynchronise the manifest from its id.
    const metadataCopy = JSON.parse(JSON.stringify(metadata)) as JsonObject;

    const blob = await storeBlob(this.upload, input.blob, options.signal);
    const checkpointId = deriveCheckpointId({ runKey, step, name, parent, blobSha256: blob.sha256, metadata: metadataCopy });
    const manifest: CheckpointManifest = {
      formatVersion: FORMAT_VERSION,
      checkpointId,
      runKey,
      name,
      step,
      blob: { key: blob.key, sha256: blob.sha256, sizeBytes: blob.sizeBytes },
      parent,
      createdAt: new Date().toISOString(),
      metadata: metadataCopy,
    };
    const key = manifestKey(this.prefix, runKey, step, checkpointId);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: serializeManifest(manifest),
          ContentType: 'application/json',
          // Never replace a manifest: the first write of an id is the record (its createdAt stands).
          IfNoneMatch: '*',
        }),
        { abortSignal: options.signal },
      );
    } catch (err) {
      const existing = isConditionalWriteConflict(err) ? await this.readManifest(key, { step, checkpointId, runKey }, options.signal) : undefined;
      if (existing !== undefined) return existing;
      // The blob stays: it is content-addressed, so a retry finds it in place and skips the upload.
      throw new CheckpointUploadError(`writing manifest ${key} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, err);
    }
    return manifest;
  }

  /** The bytes of a checkpoint, verified; throws rather than return anything that does not verify. */
  async load(runKey: string, checkpointId: string, options: CallOptions = {}): Promise<LoadedCheckpoint> {
    const manifest = await this.resolve(runKey, checkpointId, options.signal);
    const body = await this.getBlob(manifest, options.signal);
    return { manifest, body: await readVerified(body, manifest.blob) };
  }

  /**
   * The bytes of a checkpoint as a stream, for blobs too large to hold in memory. The stream is
   * verified as it goes and errors at the end on a mismatch: consume it to completion before
   * trusting what it produced. A blob of the wrong size is reported before any byte is returned.
   */
  async loadStream(runKey: string, checkpointId: string, options: CallOptions = {}): Promise<StreamedCheckpoint> {
    const manifest = await this.resolve(runKey, checkpointId, options.signal);
    const body = await this.getBlob(manifest, options.signal);
    return { manifest, stream: verifyingStream(body, manifest.blob) };
  }

  /** The newest checkpoint (highest step, then latest createdAt), or undefined if the run has none. */
  async latest(runKey: string, options: CallOptions = {}): Promise<CheckpointManifest | undefined> {
    validateRunKey(runKey);
    // A concurrent prune may delete the top manifests between listing and reading; then look again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const entries = await this.listRunKeys(runKey, options.signal);
      if (entries.length === 0) return undefined;
      const top = await mapLimit(atHighestStep(entries), MANIFEST_READ_CONCURRENCY, (e) => this.readManifest(e.key, { ...e, runKey }, options.signal));
      const latest = pickLatest(top.filter((m): m is CheckpointManifest => m !== undefined));
      if (latest !== undefined) return latest;
    }
    return undefined;
  }

  /** Every checkpoint of the run, oldest first (by step, then createdAt). */
  async list(runKey: string, options: CallOptions = {}): Promise<CheckpointManifest[]> {
    validateRunKey(runKey);
    const entries = await this.listRunKeys(runKey, options.signal);
    const manifests = await mapLimit(entries, MANIFEST_READ_CONCURRENCY, (e) => this.readManifest(e.key, { ...e, runKey }, options.signal));
    return sortCheckpoints(manifests.filter((m): m is CheckpointManifest => m !== undefined));
  }

  /**
   * Deletes the run's checkpoints the policy does not keep, then those of their blobs that no
   * remaining manifest references, in this run or any other under the prefix (runs forked from one
   * another share blobs). Manifests go first: a crash in between leaves unreferenced blobs (wasted
   * space), never a manifest without its blob.
   *
   * Not safe against a concurrent save, in another run, of a blob this prune is deleting: that
   * save may find the blob present, skip the upload, and write its manifest just after the
   * reference scan. Prune while no such save is running (e.g. from the training workflow itself,
   * between saves).
   */
  async prune(runKey: string, policy: RetentionPolicy): Promise<PruneResult> {
    validateRunKey(runKey);
    const rules = validateRetentionPolicy(policy);
    const { keep, drop } = selectRetained(await this.list(runKey), rules);
    const keyOf = (m: CheckpointManifest) => manifestKey(this.prefix, m.runKey, m.step, m.checkpointId);
    await deleteKeys(this.s3, this.bucket, drop.map(keyOf));

    const candidates = new Set(drop.map((m) => m.blob.key));
    for (const m of keep) candidates.delete(m.blob.key);
    const retained = new Set(drop.map((m) => m.blob.key).filter((k) => !candidates.has(k)));
    if (candidates.size > 0) {
      const known = new Set([...keep, ...drop].map(keyOf));
      for (const key of await this.referencedBlobKeys(candidates, known)) {
        candidates.delete(key);
        retained.add(key);
      }
    }
    await deleteKeys(this.s3, this.bucket, [...candidates]);
    return { kept: keep, deleted: drop, deletedBlobKeys: [...candidates], retainedBlobKeys: [...retained] };
  }

  /**
   * Reclaims what only a killed process leaves behind: multipart uploads under the prefix started
   * before `olderThanMs` ago, and temporary objects that old. The age guard keeps it from breaking
   * uploads in progress; keep it well above the longest save. A bucket lifecycle rule
   * (AbortIncompleteMultipartUpload, expiration on `<prefix>tmp/`) does the same without a caller.
   */
  async sweepIncomplete(options: { olderThanMs?: number } = {}): Promise<SweepResult> {
    const olderThanMs = options.olderThanMs ?? 24 * 60 * 60 * 1000;
    if (typeof olderThanMs !== 'number' || !Number.isFinite(olderThanMs) || olderThanMs < 0) {
      throw new CheckpointValidationError('options.olderThanMs', 'a non-negative number of milliseconds', describeValue(olderThanMs));
    }
    const cutoff = Date.now() - olderThanMs;
    const result: SweepResult = { abortedUploads: [], deletedTempKeys: [] };
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.s3.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
      );
      for (const upload of page.Uploads ?? []) {
        if (upload.Key === undefined || upload.UploadId === undefined) continue;
        if (upload.Initiated !== undefined && upload.Initiated.getTime() > cutoff) continue;
        await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }));
        result.abortedUploads.push({ key: upload.Key, uploadId: upload.UploadId });
      }
      const more = page.IsTruncated === true;
      keyMarker = more ? page.NextKeyMarker : undefined;
      uploadIdMarker = more ? page.NextUploadIdMarker : undefined;
    } while (keyMarker !== undefined);
    for await (const object of listObjects(this.s3, this.bucket, tempPrefix(this.prefix))) {
      if (object.LastModified !== undefined && object.LastModified.getTime() > cutoff) continue;
      result.deletedTempKeys.push(object.Key as string);
    }
    await deleteKeys(this.s3, this.bucket, result.deletedTempKeys);
    return result;
  }

  /** A manifest by id or 'latest'; NOT_FOUND if there is none. */
  private async resolve(runKey: string, checkpointId: string, signal?: AbortSignal): Promise<CheckpointManifest> {
    validateRunKey(runKey);
    if (checkpointId === 'latest') {
      const latest = await this.latest(runKey, { signal });
      if (latest === undefined) throw new CheckpointNotFoundError(runKey, checkpointId, 'the run has no checkpoints');
      return latest;
    }
    validateCheckpointId(checkpointId);
    // The id alone does not give the key (the step comes first, for ordering), so find it by
    // listing the run; one LIST call per 1000 checkpoints.
    const suffix = `-${checkpointId}.json`;
    for await (const object of listObjects(this.s3, this.bucket, manifestsPrefix(this.prefix, runKey), signal)) {
      const key = object.Key as string;
      if (!key.endsWith(suffix)) continue;
      const parsed = parseManifestKey(this.prefix, key);
      if (parsed === undefined) continue;
      const manifest = await this.readManifest(key, { ...parsed, runKey }, signal);
      if (manifest !== undefined) return manifest;
    }
    throw new CheckpointNotFoundError(runKey, checkpointId, `no manifest under s3://${this.bucket}/${manifestsPrefix(this.prefix, runKey)}`);
  }

  private async getBlob(manifest: CheckpointManifest, signal?: AbortSignal): Promise<Readable> {
    let response: GetObjectCommandOutput;
    try {
      response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: manifest.blob.key }), { abortSignal: signal });
    } catch (err) {
      if (isNotFound(err)) {
        throw new CheckpointIntegrityError('BLOB_MISSING', manifest.blob.key, `the blob of checkpoint ${manifest.checkpointId} (${manifest.blob.sizeBytes} bytes)`, 'no object');
      }
      throw err;
    }
    const body = response.Body as Readable | undefined;
    if (body === undefined || typeof body.pipe !== 'function') throw new Error(`S3 returned no readable body for "${manifest.blob.key}"`);
    try {
      checkLength(response.ContentLength, manifest.blob);
    } catch (err) {
      body.destroy();
      throw err;
    }
    return body;
  }

  private async listRunKeys(runKey: string, signal?: AbortSignal): Promise<(ParsedManifestKey & { key: string })[]> {
    const keys = await listKeys(this.s3, this.bucket, manifestsPrefix(this.prefix, runKey), signal);
    return keys.flatMap((key) => {
      const parsed = parseManifestKey(this.prefix, key);
      return parsed === undefined ? [] : [{ ...parsed, key }];
    });
  }

  /** Reads and checks a manifest; undefined if it is gone (deleted since it was listed). */
  private async readManifest(
    key: string,
    expect: { step: number; checkpointId: string; runKey?: string; encodedRunKey?: string },
    signal?: AbortSignal,
  ): Promise<CheckpointManifest | undefined> {
    const text = await this.getText(key, signal);
    return text === undefined ? undefined : parseManifest(text, key, { prefix: this.prefix, ...expect });
  }

  private async getText(key: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      return (await response.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Which of `candidates` are referenced by a manifest anywhere under the prefix, other than the
   * `known` ones already accounted for. Stops reading as soon as every candidate is referenced.
   * A manifest that cannot be parsed counts as referencing every candidate: what it points at is
   * unknown, and keeping a blob too many is the safe mistake.
   */
  private async referencedBlobKeys(candidates: ReadonlySet<string>, known: ReadonlySet<string>): Promise<Set<string>> {
    const referenced = new Set<string>();
    const keys = (await listKeys(this.s3, this.bucket, runsPrefix(this.prefix))).filter((k) => !known.has(k) && parseManifestKey(this.prefix, k) !== undefined);
    const batchSize = MANIFEST_READ_CONCURRENCY * 4;
    for (let i = 0; i < keys.length && referenced.size < candidates.size; i += batchSize) {
      const texts = await mapLimit(keys.slice(i, i + batchSize), MANIFEST_READ_CONCURRENCY, (k) => this.getText(k));
      for (const text of texts) {
        if (text === undefined) continue;
        const blobKeyValue = blobKeyOf(text);
        if (blobKeyValue === undefined) return new Set(candidates);
        if (candidates.has(blobKeyValue)) referenced.add(blobKeyValue);
      }
    }
    return referenced;
  }
}

/** The blob key a manifest's text points at, read leniently (see referencedBlobKeys). */
function blobKeyOf(text: string): string | undefined {
  try {
    const blob = (JSON.parse(text) as { blob?: { key?: unknown } } | null)?.blob;
    return typeof blob?.key === 'string' ? blob.key : undefined;
  } catch {
    return undefined;
  }
}

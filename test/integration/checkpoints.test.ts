/**
 * The checkpoint store against LocalStack's S3, through the real API (no mocks). The file creates
 * its own bucket, `ckpt-test-<random>`, and deletes it with everything in it at the end. Each
 * test uses its own key prefix, so object counts in one test are not disturbed by another.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { localAwsClientConfig } from '../../infra/local/config';
import {
  CheckpointIntegrityError,
  CheckpointNotFoundError,
  CheckpointStore,
  CheckpointUploadError,
  CheckpointValidationError,
  type CheckpointStoreOptions,
} from '../../runtime/checkpoints';
import { deriveCheckpointId } from '../../runtime/checkpoints/checkpoint-id';
import { manifestKey } from '../../runtime/checkpoints/layout';
import { serializeManifest } from '../../runtime/checkpoints/manifest';

jest.setTimeout(120_000);

const MIB = 1024 * 1024;
const clientConfig: S3ClientConfig = { ...localAwsClientConfig, forcePathStyle: true };
const s3 = new S3Client(clientConfig);
const bucket = `ckpt-test-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

function store(prefix: string, options: Partial<CheckpointStoreOptions> = {}): CheckpointStore {
  return new CheckpointStore({ s3, bucket, prefix, ...options });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * `total` pseudo-random bytes (xorshift32 from `seed`) as a stream of `chunk`-sized pieces. One
 * buffer is reused for every chunk, so memory stays at one chunk, and the store is shown to copy
 * what it needs before asking for more. `digest()` is the SHA-256 of everything yielded so far.
 */
function generated(total: number, seed: number, chunk = MIB, failAfter?: number) {
  const hash = createHash('sha256');
  const buffer = new Uint8Array(chunk);
  const words = new Uint32Array(buffer.buffer, 0, Math.floor(chunk / 4));
  let state = seed >>> 0 || 1;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    for (let sent = 0; sent < total; ) {
      // Like a real producer (disk, network), give the event loop a turn between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (failAfter !== undefined && sent >= failAfter) throw new Error('the training process crashed mid-checkpoint');
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state >>> 0;
      }
      const n = Math.min(chunk, total - sent);
      const piece = buffer.subarray(0, n);
      hash.update(piece);
      sent += n;
      yield piece;
    }
  }
  let digest: string | undefined;
  return { stream: bytes(), digest: () => (digest ??= hash.digest('hex')) };
}

/** Hashes a stream to its end; rejects with the stream's error, if it has one. */
async function hashStream(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

async function multipartUploadsUnder(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (page.Uploads ?? []).map((u) => u.Key ?? '?');
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const u of uploads.Uploads ?? []) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
  }
  const keys = await keysUnder('');
  for (let i = 0; i < keys.length; i += 1000) {
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  s3.destroy();
});

describe('save and load', () => {
  it('round-trips bytes and metadata, at the documented keys, verified by SHA-256', async () => {
    const ckpts = store('roundtrip/');
    const blob = new TextEncoder().encode('weights '.repeat(1000));
    const metadata = { metrics: { loss: 0.42 }, rng: { seed: 7, state: [1, 2, 3] }, hp: { lr: 3e-4, betas: [0.9, 0.999] } };
    const manifest = await ckpts.save('org/model v1', { name: 'epoch-1', step: 1200, blob, metadata });

    expect(manifest).toMatchObject({
      formatVersion: 1,
      runKey: 'org/model v1',
      name: 'epoch-1',
      step: 1200,
      parent: null,
      metadata,
      blob: { key: `roundtrip/blobs/sha256/${sha256(blob)}`, sha256: sha256(blob), sizeBytes: blob.byteLength },
    });
    expect(manifest.checkpointId).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(manifest.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await keysUnder('roundtrip/')).sort()).toEqual([
      manifest.blob.key,
      `roundtrip/runs/org%2Fmodel%20v1/manifests/0000000000001200-${manifest.checkpointId}.json`,
    ]);

    const byId = await ckpts.load('org/model v1', manifest.checkpointId);
    expect(byId.manifest).toEqual(manifest);
    expect(Buffer.from(byId.body).equals(Buffer.from(blob))).toBe(true);
    const latest = await ckpts.load('org/model v1', 'latest');
    expect(latest.manifest.checkpointId).toBe(manifest.checkpointId);

    const child = await ckpts.save('org/model v1', { step: 1300, blob: new Uint8Array([1, 2, 3]), parent: manifest.checkpointId });
    expect(child).toMatchObject({ name: null, parent: manifest.checkpointId, metadata: {} });
    const streamed = await ckpts.loadStream('org/model v1', child.checkpointId);
    expect(await hashStream(streamed.stream)).toEqual({ sha256: sha256(new Uint8Array([1, 2, 3])), bytes: 3 });

    // A run key too long to spell out in a key is stored under its hash, and still round-trips.
    const longKey = '🙂'.repeat(200);
    const long = await ckpts.save(longKey, { step: 1, blob });
    expect(await keysUnder(`roundtrip/runs/~`)).toEqual([expect.stringMatching(/^roundtrip\/runs\/~[0-9a-f]{64}\/manifests\//)]);
    expect((await ckpts.load(longKey, 'latest')).manifest).toEqual(long);
  });

  it('stores a blob once however often, and by whichever route, it is saved', async () => {
    const ckpts = store('dedupe/');
    const bytes = new Uint8Array(64 * 1024).map((_, i) => (i * 31) % 251);
    const first = await ckpts.save('run-a', { step: 1, blob: bytes, metadata: { loss: 1 } });
    const second = await ckpts.save('run-a', { step: 2, blob: bytes.slice(), metadata: { loss: 0.5 } });
    const other = await ckpts.save('run-b', { step: 1, blob: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]) });
    expect(new Set([first.blob.key, second.blob.key, other.blob.key]).size).toBe(1);
    expect(await keysUnder('dedupe/blobs/')).toEqual([first.blob.key]);
    expect(await keysUnder('dedupe/runs/')).toHaveLength(3);

    // An activity retry saves the same thing again: same id, the first manifest stands, no duplicate.
    const retry = await ckpts.save('run-a', { step: 2, blob: bytes, metadata: { loss: 0.5 } });
    expect(retry).toEqual(second);
    expect(await keysUnder('dedupe/runs/run-a/')).toHaveLength(2);
  });

  it('orders list() by step then createdAt, and latest() picks the newest of the highest step', async () => {
    const ckpts = store('order/');
    expect(await ckpts.latest('r')).toBeUndefined();
    expect(await ckpts.list('r')).toEqual([]);
    const saved = [];
    for (const step of [5, 1, 10, 3]) saved.push(await ckpts.save('r', { step, blob: new Uint8Array([step]) }));
    const again = await ckpts.save('r', { step: 10, blob: new Uint8Array([10]), metadata: { resumed: true } });
    const list = await ckpts.list('r');
    expect(list.map((m) => m.step)).toEqual([1, 3, 5, 10, 10]);
    expect(list[3]?.checkpointId).toBe(saved[2]?.checkpointId);
    expect(list[4]?.checkpointId).toBe(again.checkpointId);
    expect((await ckpts.latest('r'))?.checkpointId).toBe(again.checkpointId);
    // Run keys are separate namespaces, even when one is a "path prefix" of another.
    await ckpts.save('r/sub', { step: 99, blob: new Uint8Array([99]) });
    expect((await ckpts.latest('r'))?.step).toBe(10);
  });

  it('lists past 1000 manifests (several LIST pages)', async () => {
    const ckpts = store('many/');
    const blob = await ckpts.save('long-run', { step: 0, blob: new Uint8Array([42]) });
    // The other 1009 manifests are written straight to S3 (one PUT each rather than a save's
    // HEAD + PUT), to keep the test quick; they are what save would write, byte for byte.
    const steps = Array.from({ length: 1010 }, (_, i) => i);
    let next = 1;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < steps.length) {
          const step = next++;
          const manifest = { ...blob, step, checkpointId: deriveCheckpointId({ runKey: 'long-run', step, name: null, parent: null, blobSha256: blob.blob.sha256, metadata: {} }) };
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey('many/', 'long-run', step, manifest.checkpointId), Body: serializeManifest(manifest) }));
        }
      }),
    );
    const list = await ckpts.list('long-run');
    expect(list.map((m) => m.step)).toEqual(steps);
    expect((await ckpts.latest('long-run'))?.step).toBe(1009);
    const last = list[1009];
    expect((await ckpts.load('long-run', last?.checkpointId ?? '')).manifest).toEqual(last);
  });
});

describe('large blobs', () => {
  it('streams 40 MB through a multipart upload and back, verified', async () => {
    const ckpts = store('large/');
    const total = 40 * 1000 * 1000;
    const source = generated(total, 12345);
    // Memory is bounded by design (parts in flight); sampled here for the log, not asserted (GC timing).
    const base = process.memoryUsage().arrayBuffers;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 10);
    let t = performance.now();
    const manifest = await ckpts.save('big', { step: 1, blob: source.stream });
    const saveSeconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    expect(manifest.blob).toMatchObject({ sha256: source.digest(), sizeBytes: total });
    // The temporary object is gone and no multipart upload is left open.
    expect(await keysUnder('large/tmp/')).toEqual([]);
    expect(await multipartUploadsUnder('large/')).toEqual([]);

    t = performance.now();
    const { stream } = await ckpts.loadStream('big', 'latest');
    expect(await hashStream(stream)).toEqual({ sha256: manifest.blob.sha256, bytes: total });
    const streamSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    const loaded = await ckpts.load('big', manifest.checkpointId);
    const loadSeconds = (performance.now() - t) / 1000;
    expect(sha256(loaded.body)).toBe(manifest.blob.sha256);

    // Saving the same stream again is deduplicated: the multipart upload is aborted, not completed.
    const again = generated(total, 12345);
    await ckpts.save('big', { step: 2, blob: again.stream });
    expect(await keysUnder('large/blobs/')).toEqual([manifest.blob.key]);
    expect(await keysUnder('large/tmp/')).toEqual([]);
    expect(await multipartUploadsUnder('large/')).toEqual([]);

    const mb = total / 1e6;
    console.log(
      `[checkpoints] 40 MB: save ${saveSeconds.toFixed(2)} s (${(mb / saveSeconds).toFixed(1)} MB/s), ` +
        `loadStream ${streamSeconds.toFixed(2)} s (${(mb / streamSeconds).toFixed(1)} MB/s), ` +
        `load ${loadSeconds.toFixed(2)} s (${(mb / loadSeconds).toFixed(1)} MB/s); ` +
        `peak ArrayBuffer growth during save ${((peak - base) / MIB).toFixed(0)} MiB`,
    );
  });

  it('moves a blob above the single-copy limit into place with UploadPartCopy', async () => {
    const ckpts = store('partcopy/', { multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB, singleCopyLimitBytes: 5 * MIB, copyPartSizeBytes: 5 * MIB });
    const total = 12 * MIB + 123;
    const source = generated(total, 777, 256 * 1024);
    const manifest = await ckpts.save('r', { step: 1, blob: source.stream });
    expect(manifest.blob.sha256).toBe(source.digest());
    expect(sha256((await ckpts.load('r', 'latest')).body)).toBe(source.digest());
    expect(await keysUnder('partcopy/tmp/')).toEqual([]);
    expect(await multipartUploadsUnder('partcopy/')).toEqual([]);
  });

  it('sends an in-memory blob above the threshold straight to its address in parts', async () => {
    const ckpts = store('inmemory/', { multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB });
    const bytes = new Uint8Array(11 * MIB).map((_, i) => (i >>> 8) & 0xff);
    const manifest = await ckpts.save('r', { step: 1, blob: bytes });
    expect(sha256((await ckpts.load('r', 'latest')).body)).toBe(sha256(bytes));
    expect(await keysUnder('inmemory/')).toEqual([manifest.blob.key, expect.stringMatching(/^inmemory\/runs\/r\/manifests\//)]);
    expect(await multipartUploadsUnder('inmemory/')).toEqual([]);
  });
});

describe('what goes on the wire', () => {
  const small = { multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB };

  /** A client that records every body it sends with the headers it was signed with; all calls still go to LocalStack. */
  function recordingClient(tamperWithPart?: number) {
    const client = new S3Client(clientConfig);
    const sent: Array<{ command: string; body: Buffer; headers: Record<string, string> }> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { body?: unknown; headers: Record<string, string>; query?: Record<string, string> };
        if (request.body instanceof Uint8Array) {
          if (context.commandName === 'UploadPartCommand' && request.query?.partNumber === String(tamperWithPart)) {
            // Damage in transit: the bytes change after they were hashed and signed.
            const damaged = Buffer.from(request.body);
            damaged[0] = (damaged[0] as number) ^ 0xff;
            request.body = damaged;
          }
          sent.push({ command: context.commandName as string, body: Buffer.from(request.body as Uint8Array), headers: { ...request.headers } });
        }
        return next(args);
      },
      // Deserialize is the last step before the request leaves: it sees the signed request.
      { step: 'deserialize', name: 'recordBodies' },
    );
    return { client, sent };
  }

  it('signs every body with its own SHA-256, and sends that as the checksum S3 verifies', async () => {
    const { client, sent } = recordingClient();
    const ckpts = new CheckpointStore({ s3: client, bucket, prefix: 'wire/', ...small });
    const inMemory = new Uint8Array(11 * MIB + 5).map((_, i) => (i * 7) >>> 3);
    await ckpts.save('r', { step: 1, blob: inMemory });
    const streamed = generated(12 * MIB + 9, 4242, 300 * 1024);
    await ckpts.save('r', { step: 2, blob: streamed.stream });
    await ckpts.save('r', { step: 3, blob: new Uint8Array([1, 2, 3]) });
    client.destroy();

    const blobs = sent.filter((s) => s.command === 'UploadPartCommand' || (s.command === 'PutObjectCommand' && !s.headers['content-type']?.includes('json')));
    expect(blobs.map((s) => s.command)).toEqual([...Array<string>(3).fill('UploadPartCommand'), ...Array<string>(3).fill('UploadPartCommand'), 'PutObjectCommand']);
    for (const { body, headers } of blobs) {
      expect(headers['x-amz-content-sha256']).toBe(sha256(body));
      expect(headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha256(body), 'hex').toString('base64'));
      expect(headers.authorization).toContain('x-amz-content-sha256');
    }
    expect(Buffer.concat(blobs.slice(0, 3).map((s) => s.body)).equals(Buffer.from(inMemory))).toBe(true);
    expect(sha256(Buffer.concat(blobs.slice(3, 6).map((s) => s.body)))).toBe(streamed.digest());
  });

  it('a part damaged after hashing is refused by S3: the save fails and leaves nothing behind', async () => {
    const { client } = recordingClient(2);
    const ckpts = new CheckpointStore({ s3: client, bucket, prefix: 'damaged/', ...small });
    const err = await rejection(ckpts.save('r', { step: 1, blob: new Uint8Array(11 * MIB).map((_, i) => i >>> 9) }));
    client.destroy();
    expect(err).toMatchObject({ code: 'UPLOAD_FAILED' });
    expect(((err as Error).cause as Error).name).toBe('BadDigest');
    expect(await keysUnder('damaged/')).toEqual([]);
    expect(await multipartUploadsUnder('damaged/')).toEqual([]);
  });
});

describe('integrity', () => {
  const payload = new TextEncoder().encode('the real weights, not the tampered ones');

  it('refuses a blob overwritten in S3 with other bytes: load throws, loadStream errors', async () => {
    const ckpts = store('tamper/');
    const manifest = await ckpts.save('r', { step: 1, blob: payload });
    const forged = new TextEncoder().encode('THE REAL WEIGHTS, NOT THE TAMPERED ONES');
    expect(forged.byteLength).toBe(payload.byteLength);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifest.blob.key, Body: forged }));

    const err = await rejection(ckpts.load('r', manifest.checkpointId));
    expect(err).toBeInstanceOf(CheckpointIntegrityError);
    expect(err).toMatchObject({
      code: 'HASH_MISMATCH',
      key: manifest.blob.key,
      expected: `sha256 ${sha256(payload)} (${payload.byteLength} bytes)`,
      found: `sha256 ${sha256(forged)} (${forged.byteLength} bytes)`,
    });

    // Same length, so the stream starts; it must fail at the end instead of ending cleanly.
    const { stream } = await ckpts.loadStream('r', 'latest');
    const streamErr = await rejection(hashStream(stream));
    expect(streamErr).toMatchObject({ code: 'HASH_MISMATCH', key: manifest.blob.key });

    // A wrong-sized object is refused before a byte is handed out.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifest.blob.key, Body: new Uint8Array(5) }));
    expect(await rejection(ckpts.loadStream('r', 'latest'))).toMatchObject({ code: 'HASH_MISMATCH', found: 'an object of 5 bytes' });
    expect(await rejection(ckpts.load('r', 'latest'))).toMatchObject({ code: 'HASH_MISMATCH' });

    // Saving the real bytes again notices the damaged object (wrong size) and replaces it.
    await ckpts.save('r', { step: 2, blob: payload });
    expect(Buffer.from((await ckpts.load('r', manifest.checkpointId)).body).toString()).toBe('the real weights, not the tampered ones');
  });

  it('reports a deleted blob as BLOB_MISSING and a missing manifest as not found', async () => {
    const ckpts = store('missing/');
    const manifest = await ckpts.save('r', { step: 1, blob: payload });
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: manifest.blob.key }));
    for (const attempt of [() => ckpts.load('r', manifest.checkpointId), () => ckpts.loadStream('r', 'latest')]) {
      const err = await rejection(attempt());
      expect(err).toBeInstanceOf(CheckpointIntegrityError);
      expect(err).toMatchObject({ code: 'BLOB_MISSING', key: manifest.blob.key });
    }

    const notFound = await rejection(ckpts.load('r', 'f'.repeat(32)));
    expect(notFound).toBeInstanceOf(CheckpointNotFoundError);
    expect(notFound).toMatchObject({ code: 'NOT_FOUND', runKey: 'r', checkpointId: 'f'.repeat(32) });
    expect(await rejection(ckpts.load('no-such-run', 'latest'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(ckpts.load('r', 'not-an-id'))).toMatchObject({ code: 'INVALID_INPUT', field: 'checkpointId' });
  });

  it('validates input before writing anything', async () => {
    const ckpts = store('invalid/');
    const blob = new Uint8Array([1]);
    const cases: [() => Promise<unknown>, string][] = [
      [() => ckpts.save('', { step: 1, blob }), 'runKey'],
      [() => ckpts.save('r', { step: -1, blob }), 'step'],
      [() => ckpts.save('r', { step: 1, blob, metadata: { when: new Date() } as never }), 'metadata.when'],
      [() => ckpts.save('r', { step: 1, blob, parent: 'latest' }), 'parent'],
      [() => ckpts.save('r', { step: 1, blob: 'bytes' as never }), 'blob'],
    ];
    for (const [attempt, field] of cases) {
      const err = await rejection(attempt());
      expect(err).toBeInstanceOf(CheckpointValidationError);
      expect(err).toMatchObject({ code: 'INVALID_INPUT', field });
    }
    expect(await keysUnder('invalid/')).toEqual([]);
  });
});

describe('failed saves leave nothing behind', () => {
  const small = { multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB };

  it('a stream that throws mid-way: no manifest, no temporary object, no open multipart upload', async () => {
    const ckpts = store('failed/', small);
    const source = generated(30 * MIB, 99, MIB, 12 * MIB);
    const err = await rejection(ckpts.save('r', { step: 1, blob: source.stream }));
    expect(err).toBeInstanceOf(CheckpointUploadError);
    expect((err as Error).message).toMatch(/the training process crashed mid-checkpoint; the partial upload was discarded/);
    expect(((err as Error).cause as Error).message).toBe('the training process crashed mid-checkpoint');
    expect(await keysUnder('failed/')).toEqual([]);
    expect(await multipartUploadsUnder('failed/')).toEqual([]);
    expect(await ckpts.latest('r')).toBeUndefined();
  });

  it('S3 refusing a part: the upload is aborted and the source stream released', async () => {
    // Fault injection on the client, not a mock: every other call goes to LocalStack.
    const faulty = new S3Client(clientConfig);
    let parts = 0;
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand' && ++parts === 2) throw new Error('injected: connection reset');
        return next(args);
      },
      { step: 'initialize', name: 'failSecondPart' },
    );
    const ckpts = new CheckpointStore({ s3: faulty, bucket, prefix: 'faulty/', ...small });
    let finallyRan = false;
    const source = generated(30 * MIB, 5, MIB);
    async function* tracked() {
      try {
        yield* source.stream;
      } finally {
        finallyRan = true;
      }
    }
    const err = await rejection(ckpts.save('r', { step: 1, blob: tracked() }));
    faulty.destroy();
    expect(err).toMatchObject({ code: 'UPLOAD_FAILED' });
    expect((err as Error).message).toMatch(/injected: connection reset/);
    expect(finallyRan).toBe(true);
    expect(await keysUnder('faulty/')).toEqual([]);
    expect(await multipartUploadsUnder('faulty/')).toEqual([]);
  });

  it('a stream of strings is rejected as invalid input, after discarding the upload', async () => {
    const ckpts = store('strings/', small);
    // The first chunk is past the threshold: a multipart upload is open when the string arrives.
    const strings = Readable.from([new Uint8Array(6 * MIB), 'not bytes']);
    const err = await rejection(ckpts.save('r', { step: 1, blob: strings }));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'blob', found: expect.stringContaining('a chunk that is "not bytes"') });
    expect(await keysUnder('strings/')).toEqual([]);
    expect(await multipartUploadsUnder('strings/')).toEqual([]);
  });

  it('sweepIncomplete reclaims what a killed process would leave', async () => {
    const ckpts = store('sweep/');
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'sweep/tmp/killed-upload' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sweep/tmp/killed-after-complete', Body: 'x' }));
    const kept = await ckpts.save('r', { step: 1, blob: new Uint8Array([7]) });
    expect(await ckpts.sweepIncomplete()).toEqual({ abortedUploads: [], deletedTempKeys: [] }); // too young at the default age
    await new Promise((resolve) => setTimeout(resolve, 1100)); // S3 timestamps have 1 s resolution
    const swept = await ckpts.sweepIncomplete({ olderThanMs: 0 });
    expect(swept.abortedUploads.map((u) => u.key)).toEqual(['sweep/tmp/killed-upload']);
    expect(swept.deletedTempKeys).toEqual(['sweep/tmp/killed-after-complete']);
    expect(await multipartUploadsUnder('sweep/')).toEqual([]);
    expect(await keysUnder('sweep/tmp/')).toEqual([]);
    expect(await exists(kept.blob.key)).toBe(true);
  });
});

describe('retention', () => {
  it('keeps the last N and the best by a metric, and never deletes a blob still referenced', async () => {
    const ckpts = store('retention/');
    const blobOf = (n: number) => new TextEncoder().encode(`weights after step ${n}`);
    const losses = [0.9, 0.2, 0.7, 0.6, 0.5, 0.4];
    const a = [];
    for (const [i, loss] of losses.entries()) a.push(await ckpts.save('run-a', { step: (i + 1) * 100, blob: blobOf(i + 1), metadata: { metrics: { loss } } }));
    // Step 350 re-saved the weights of step 100 (same blob, two manifests in one run).
    const dup = await ckpts.save('run-a', { step: 350, blob: blobOf(1), metadata: { metrics: { loss: 0.65 } } });
    // run-b was forked from run-a's step-400 weights: another run referencing the same blob.
    const fork = await ckpts.save('run-b', { step: 0, blob: blobOf(4), parent: a[3]?.checkpointId });

    const result = await ckpts.prune('run-a', { keepLast: 2, keepBest: { metric: 'metrics.loss', mode: 'min', count: 1 } });
    const stepsOf = (list: { step: number }[]) => list.map((m) => m.step);
    expect(stepsOf(result.kept)).toEqual([200, 500, 600]);
    expect(stepsOf(result.deleted)).toEqual([100, 300, 350, 400]);
    // Steps 100 and 350 share a blob; nothing else references it, so it goes. Step 300's goes.
    // Step 400's blob stays: run-b references it.
    expect(result.deletedBlobKeys.sort()).toEqual([a[0]?.blob.key, a[2]?.blob.key].sort());
    expect(result.retainedBlobKeys).toEqual([fork.blob.key]);
    expect(dup.blob.key).toBe(a[0]?.blob.key);

    expect(stepsOf(await ckpts.list('run-a'))).toEqual([200, 500, 600]);
    for (const m of result.deleted) expect(await rejection(ckpts.load('run-a', m.checkpointId))).toBeInstanceOf(CheckpointNotFoundError);
    for (const m of result.kept) expect(sha256((await ckpts.load('run-a', m.checkpointId)).body)).toBe(m.blob.sha256);
    expect(Buffer.from((await ckpts.load('run-b', 'latest')).body).toString()).toBe('weights after step 4');
    expect(await exists(a[0]?.blob.key ?? '')).toBe(false);
    expect(await exists(fork.blob.key)).toBe(true);

    // Pruning run-b to nothing now frees the shared blob, as no manifest is left pointing at it.
    const emptied = await ckpts.prune('run-b', { keepLast: 0 });
    expect(emptied.deletedBlobKeys).toEqual([fork.blob.key]);
    expect(await exists(fork.blob.key)).toBe(false);
    // A blob shared between a kept and a deleted checkpoint of the same run is retained.
    const again = await ckpts.save('run-a', { step: 700, blob: blobOf(6), metadata: { metrics: { loss: 0.3 } } });
    const third = await ckpts.prune('run-a', { keepLast: 1 });
    expect(stepsOf(third.kept)).toEqual([700]);
    expect(third.retainedBlobKeys).toEqual([again.blob.key]);
    expect(sha256((await ckpts.load('run-a', 'latest')).body)).toBe(again.blob.sha256);
  });
});

/**
 * Reading a blob back is where integrity is enforced: bytes are hashed as they arrive and compared
 * with the manifest's SHA-256 and size. `load` returns nothing unless both match; `loadStream`
 * passes bytes through as they come (the point of streaming) and fails the stream at the end on a
 * mismatch, so a consumer must treat data as unverified until the stream has ended cleanly.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import { CheckpointIntegrityError } from './errors';
import type { BlobRef } from './manifest';

class BlobVerifier {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly ref: BlobRef) {}

  /** Accounts for a chunk; fails as soon as the blob is longer than promised (no point reading on). */
  update(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    if (this.bytes > this.ref.sizeBytes) throw this.mismatch(`more than ${this.ref.sizeBytes} bytes`);
    this.hash.update(chunk);
  }

  finish(): void {
    const sha256 = this.hash.digest('hex');
    if (this.bytes !== this.ref.sizeBytes || sha256 !== this.ref.sha256) throw this.mismatch(`sha256 ${sha256} (${this.bytes} bytes)`);
  }

  mismatch(found: string): CheckpointIntegrityError {
    return new CheckpointIntegrityError('HASH_MISMATCH', this.ref.key, `sha256 ${this.ref.sha256} (${this.ref.sizeBytes} bytes)`, found);
  }
}

/** Reads the whole body into one buffer sized from the manifest, verifying it on the way. */
export async function readVerified(body: Readable, ref: BlobRef): Promise<Uint8Array> {
  const verifier = new BlobVerifier(ref);
  const out = Buffer.allocUnsafe(ref.sizeBytes);
  let offset = 0;
  // Leaving the loop early (a throw) destroys the body, which releases the HTTP connection.
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    verifier.update(chunk);
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  verifier.finish();
  return out;
}

/** A stream of the body's bytes that errors (HASH_MISMATCH) instead of ending if they don't verify. */
export function verifyingStream(body: Readable, ref: BlobRef): Readable {
  const verifier = new BlobVerifier(ref);
  const check = new Transform({
    transform(chunk: Uint8Array, _encoding, callback) {
      try {
        verifier.update(chunk);
        callback(null, chunk);
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback) {
      try {
        verifier.finish();
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
  // pipeline forwards errors both ways: a network error fails `check`, and a consumer destroying
  // `check` early destroys the body (freeing the socket). The callback only swallows the
  // duplicate report; consumers see the error on `check` itself.
  return pipeline(body, check, () => undefined);
}

/** Up-front check when S3 reports a length: a wrong-sized object cannot hash right, so fail before reading. */
export function checkLength(contentLength: number | undefined, ref: BlobRef): void {
  if (contentLength !== undefined && contentLength !== ref.sizeBytes) {
    throw new CheckpointIntegrityError('HASH_MISMATCH', ref.key, `sha256 ${ref.sha256} (${ref.sizeBytes} bytes)`, `an object of ${contentLength} bytes`);
  }
}

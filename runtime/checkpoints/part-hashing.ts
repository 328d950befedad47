/**
 * Hashing a blob and each of its multipart parts in one pass over the bytes. A multipart upload
 * needs the SHA-256 of every part (S3 verifies it on arrival; SigV4 signs it) and the store needs
 * the SHA-256 of the whole blob (its address). Feeding each slice to both hashes while the slice
 * is in the CPU cache reads the bytes from memory once instead of once per hash.
 */
import { createHash, type Hash } from 'node:crypto';

/** Small enough to stay in a core's L2 cache between the two hash updates that read it. */
export const HASH_SLICE_BYTES = 256 * 1024;

/** One part of a blob with the SHA-256 of exactly its bytes. */
export interface HashedPart {
  body: Uint8Array;
  /** Lowercase hex. */
  sha256: string;
}

/** The SHA-256 of a whole blob and of its parts, fed slice by slice, in order. */
export class BlobHasher {
  private readonly whole: Hash = createHash('sha256');
  private part: Hash = createHash('sha256');

  /** Adds bytes to the blob and to the current part. */
  update(bytes: Uint8Array): void {
    for (let offset = 0; offset < bytes.byteLength; offset += HASH_SLICE_BYTES) {
      const slice = bytes.subarray(offset, offset + HASH_SLICE_BYTES);
      this.whole.update(slice);
      this.part.update(slice);
    }
  }

  /** The current part's SHA-256 (lowercase hex); the next update starts a new part. */
  endPart(): string {
    const digest = this.part.digest('hex');
    this.part = createHash('sha256');
    return digest;
  }

  /** The SHA-256 of everything added (lowercase hex). Call once, at the end. */
  digest(): string {
    return this.whole.digest('hex');
  }
}

/** In-memory bytes cut into `partSize` parts (views, not copies), each hashed, and the whole hashed, in one pass. */
export function hashInParts(bytes: Uint8Array, partSize: number): { sha256: string; parts: HashedPart[] } {
  const hasher = new BlobHasher();
  const parts: HashedPart[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += partSize) {
    const body = bytes.subarray(offset, offset + partSize);
    hasher.update(body);
    parts.push({ body, sha256: hasher.endPart() });
  }
  return { sha256: hasher.digest(), parts };
}

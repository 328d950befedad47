import { createHash, randomBytes } from 'node:crypto';
import { BlobHasher, HASH_SLICE_BYTES, hashInParts } from '../../../runtime/checkpoints/part-hashing';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('hashing a blob and its parts in one pass', () => {
  const bytes = randomBytes(3 * HASH_SLICE_BYTES + 12345);

  it('gives the SHA-256 of the whole and of every part, the last part shorter', () => {
    const partSize = HASH_SLICE_BYTES + 7; // not a multiple of the slice: parts and slices do not line up
    const { sha256: whole, parts } = hashInParts(bytes, partSize);
    expect(whole).toBe(sha256(bytes));
    expect(parts).toHaveLength(Math.ceil(bytes.byteLength / partSize));
    parts.forEach((part, i) => {
      expect(Buffer.from(part.body).equals(bytes.subarray(i * partSize, (i + 1) * partSize))).toBe(true);
      expect(part.sha256).toBe(sha256(part.body));
    });
  });

  it('cuts parts as views of the caller\'s bytes, not copies', () => {
    const { parts } = hashInParts(bytes, HASH_SLICE_BYTES);
    for (const part of parts) expect(part.body.buffer).toBe(bytes.buffer);
  });

  it('gives the same hashes however the bytes arrive, split across updates and parts', () => {
    const hasher = new BlobHasher();
    const cuts = [0, 1, 1000, HASH_SLICE_BYTES + 3, 2 * HASH_SLICE_BYTES, bytes.byteLength];
    const partEnd = 2 * HASH_SLICE_BYTES;
    let partHash = '';
    for (let i = 1; i < cuts.length; i++) {
      hasher.update(bytes.subarray(cuts[i - 1], cuts[i]));
      if (cuts[i] === partEnd) partHash = hasher.endPart();
    }
    expect(partHash).toBe(sha256(bytes.subarray(0, partEnd)));
    expect(hasher.endPart()).toBe(sha256(bytes.subarray(partEnd)));
    expect(hasher.digest()).toBe(sha256(bytes));
  });

  it('hashes an empty blob as the empty string', () => {
    const hasher = new BlobHasher();
    hasher.update(new Uint8Array(0));
    expect(hasher.endPart()).toBe(sha256(new Uint8Array(0)));
    expect(hasher.digest()).toBe(sha256(new Uint8Array(0)));
    expect(hashInParts(new Uint8Array(0), 5)).toEqual({ sha256: sha256(new Uint8Array(0)), parts: [] });
  });
});

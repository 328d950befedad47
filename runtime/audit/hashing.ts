/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing with SHA-256. Leaves and interior nodes get
 * different one-byte prefixes so that a leaf can never be passed off as a node (second
 * preimage resistance of the tree).
 */
import * as crypto from 'node:crypto';

/** Length in bytes of every hash in the tree. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** Root of the empty tree, SHA-256 of the empty string (RFC 6962 §2.1), as hex. */
export const EMPTY_ROOT_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// crypto.hash exists from Node 20.12; package.json allows >= 20.3.
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** SHA-256 of the concatenated parts, as a plain Uint8Array (not a Buffer). */
function sha256(...parts: Uint8Array[]): Uint8Array {
  // One contiguous input and the one-shot crypto.hash (Node >= 20.12) are measurably faster
  // than streaming updates into createHash, and tree building is hash-bound.
  const input = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
  const digest = oneShot === undefined ? crypto.createHash('sha256').update(input).digest() : oneShot('sha256', input, 'buffer');
  // Copy out of the Buffer so callers get a plain Uint8Array (Jest and structuredClone
  // treat Buffer and Uint8Array as different types).
  return new Uint8Array(digest);
}

/** The root of the empty tree, SHA-256(""). Returns a fresh array each call. */
export function emptyRoot(): Uint8Array {
  return sha256();
}

/** Leaf hash: SHA-256(0x00 || data). `data` may be any length, including empty. */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

/**
 * Interior node hash: SHA-256(0x01 || left || right). In a tree both inputs are 32-byte
 * hashes; this function does not insist, so it can reproduce published vectors that
 * hash arbitrary strings.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** Byte-wise equality of two hashes. Hashes here are public, so no constant-time need. */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/** Unsigned lexicographic byte order, the order of sorted batches: negative if a < b. */
export function compareHashes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Proof verification that needs only hashes, following RFC 9162 §2.1.3.2 (inclusion) and
 * §2.1.4.2 (consistency). Each `verify…` function returns normally or throws a ProofError
 * whose code says what was wrong; the `isValid…` wrappers turn that into a boolean.
 *
 * The proof length is checked up front against the length the algorithm will consume, so
 * a truncated or padded proof is reported as `wrong proof size 2, want 3` rather than as a
 * root mismatch.
 *
 * What a proof does and does not establish: tree size and root are trusted together (in
 * the audit log they come from the same checkpoint). A proof checked against a root with
 * the wrong size can still pass when both sizes give the path the same shape — e.g. the
 * proof of leaf 5 in a tree of 8 also verifies as "leaf 5 of 7" against the size-8 root.
 * That is inherent to RFC 6962 proofs, so never take a size from one checkpoint and a root
 * from another.
 */
import { checkHash, checkProofArray, checkProofHashes } from './checks';
import { ProofError } from './errors';
import { EMPTY_ROOT_HEX, hashEquals } from './hashing';
import { toHex } from './hex';
import { chainLeftRoot, chainRoot, checkIndexInTree, checkSizes, consistencyPath, inclusionPath } from './proof-path';
import { isPowerOfTwo } from './tree-math';

/**
 * Number of hashes in the inclusion proof of leaf `index` in a tree of `treeSize` leaves.
 * Requires 0 <= index < treeSize (ProofError otherwise).
 */
export function inclusionProofSize(index: number, treeSize: number): number {
  return inclusionPath(index, treeSize).length;
}

/**
 * Number of hashes in the consistency proof between trees of `oldSize` and `newSize`
 * leaves: 0 when oldSize is 0 or equal to newSize. Requires 0 <= oldSize <= newSize
 * (ProofError otherwise).
 */
export function consistencyProofSize(oldSize: number, newSize: number): number {
  checkSizes(oldSize, newSize);
  if (oldSize === 0 || oldSize === newSize) return 0;
  return consistencyProofLength(oldSize, consistencyPath(oldSize, newSize).length);
}

/**
 * The root that an inclusion proof leads to, for the leaf with hash `leafHash` at `index`
 * in a tree of `treeSize` leaves. Throws unless 0 <= index < treeSize, the leaf hash and
 * every proof element are 32 bytes, and the proof has the expected number of elements.
 */
export function rootFromInclusionProof(leafHash: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[]): Uint8Array {
  checkIndexInTree(index, treeSize);
  checkHash('leaf hash', leafHash);
  checkProofArray(proof);
  const sides = inclusionPath(index, treeSize);
  checkProofSize(proof, sides.length);
  checkProofHashes(proof);
  // RFC 9162 §2.1.3.2, steps 2-5.
  return chainRoot(leafHash, proof, sides);
}

/**
 * Checks that `proof` shows the leaf with hash `leafHash` at position `index` of the tree
 * of `treeSize` leaves whose root is `root`. Requires 0 <= index < treeSize; all hashes
 * 32 bytes. Returns normally on success, otherwise throws a ProofError (INVALID_ARGUMENT,
 * EMPTY_TREE, INDEX_OUT_OF_RANGE, WRONG_HASH_SIZE, WRONG_PROOF_SIZE or ROOT_MISMATCH).
 */
export function verifyInclusion(leafHash: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): void {
  // Position errors first: they say more than a malformed hash would.
  checkIndexInTree(index, treeSize);
  checkHash('root', root);
  const computed = rootFromInclusionProof(leafHash, index, treeSize, proof);
  if (!hashEquals(computed, root)) {
    throw new ProofError('ROOT_MISMATCH', `root mismatch: proof of index ${index} in tree size ${treeSize} gives ${toHex(computed)}, want ${toHex(root)}`);
  }
}

/**
 * Checks that the tree of `newSize` leaves with root `newRoot` extends (is append-only
 * from) the tree of `oldSize` leaves with root `oldRoot`. Requires oldSize <= newSize and
 * 32-byte hashes.
 *
 * Edge cases, where RFC 9162 only defines 0 < oldSize < newSize:
 * - oldSize == newSize: the proof must be empty and the roots equal.
 * - oldSize == 0: every tree extends the empty tree, so the proof must be empty and
 *   oldRoot must be the empty-tree root SHA-256(""); newRoot is not constrained.
 *
 * Throws a ProofError (INVALID_ARGUMENT, SIZE_DECREASE, WRONG_HASH_SIZE,
 * WRONG_PROOF_SIZE or ROOT_MISMATCH) unless the proof holds.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): void {
  checkSizes(oldSize, newSize);
  checkHash('old root', oldRoot);
  checkHash('new root', newRoot);
  checkProofArray(proof);

  if (oldSize === 0 || oldSize === newSize) {
    if (proof.length !== 0) {
      throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}, want 0 for sizes ${oldSize} -> ${newSize}`);
    }
    if (oldSize === 0 && toHex(oldRoot) !== EMPTY_ROOT_HEX) {
      throw new ProofError('ROOT_MISMATCH', `old root mismatch: a tree of size 0 has root ${EMPTY_ROOT_HEX}, found ${toHex(oldRoot)}`);
    }
    if (oldSize === newSize && !hashEquals(oldRoot, newRoot)) {
      throw new ProofError('ROOT_MISMATCH', `root mismatch: both trees have size ${oldSize} but old root is ${toHex(oldRoot)} and new root is ${toHex(newRoot)}`);
    }
    return;
  }

  const sides = consistencyPath(oldSize, newSize);
  checkProofSize(proof, consistencyProofLength(oldSize, sides.length));
  checkProofHashes(proof);

  // RFC 9162 §2.1.4.2. Step 2 (prepend the old root when oldSize is a power of two) is done
  // by choosing where the seed comes from instead of copying the array.
  const seed = isPowerOfTwo(oldSize) ? oldRoot : (proof[0] as Uint8Array);
  const rest = isPowerOfTwo(oldSize) ? proof : proof.slice(1);
  const fr = chainLeftRoot(seed, rest, sides);
  const sr = chainRoot(seed, rest, sides);
  if (!hashEquals(fr, oldRoot)) {
    throw new ProofError('ROOT_MISMATCH', `old root mismatch: proof for sizes ${oldSize} -> ${newSize} gives ${toHex(fr)}, want ${toHex(oldRoot)}`);
  }
  if (!hashEquals(sr, newRoot)) {
    throw new ProofError('ROOT_MISMATCH', `new root mismatch: proof for sizes ${oldSize} -> ${newSize} gives ${toHex(sr)}, want ${toHex(newRoot)}`);
  }
}

/** `verifyInclusion` as a boolean. Rethrows anything that is not a ProofError. */
export function isValidInclusion(leafHash: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  return holds(() => verifyInclusion(leafHash, index, treeSize, proof, root));
}

/** `verifyConsistency` as a boolean. Rethrows anything that is not a ProofError. */
export function isValidConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  return holds(() => verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof));
}

/**
 * A consistency proof holds one hash per step of its path plus the first hash, which is not
 * sent when oldSize is a power of two: the old root is that hash (RFC 9162 §2.1.4.2 step 2).
 */
function consistencyProofLength(oldSize: number, steps: number): number {
  return isPowerOfTwo(oldSize) ? steps : steps + 1;
}

/** Requires `proof` to hold `want` hashes, the number its path consumes. */
function checkProofSize(proof: readonly Uint8Array[], want: number): void {
  if (proof.length !== want) {
    throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}, want ${want}`);
  }
}

/** Runs a check: false if it throws a ProofError, true if it passes; other errors propagate. */
export function holds(check: () => void): boolean {
  try {
    check();
    return true;
  } catch (err) {
    if (err instanceof ProofError) return false;
    throw err;
  }
}

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
import { checkCount, checkHash, checkProofArray, checkProofHashes } from './checks';
import { ProofError } from './errors';
import { EMPTY_ROOT_HEX, hashEquals, nodeHash } from './hashing';
import { toHex } from './hex';
import { half, isOdd, isPowerOfTwo } from './tree-math';

/**
 * Number of hashes in the inclusion proof of leaf `index` in a tree of `treeSize` leaves.
 * Requires 0 <= index < treeSize (ProofError otherwise).
 */
export function inclusionProofSize(index: number, treeSize: number): number {
  checkIndexInTree(index, treeSize);
  // Replays RFC 9162 §2.1.3.2 step 4 without hashing: one proof hash per iteration.
  return pathSteps(index, treeSize - 1);
}

/**
 * The number of proof hashes RFC 9162's verification loop consumes walking from node `fn` up to
 * the root of a tree whose last node is `sn` (steps shared by inclusion and consistency proofs).
 */
function pathSteps(fn: number, sn: number): number {
  let count = 0;
  while (sn > 0) {
    count++;
    if (!isOdd(fn) && fn === sn) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return count;
}

/**
 * Number of hashes in the consistency proof between trees of `oldSize` and `newSize`
 * leaves: 0 when oldSize is 0 or equal to newSize. Requires 0 <= oldSize <= newSize
 * (ProofError otherwise).
 */
export function consistencyProofSize(oldSize: number, newSize: number): number {
  checkSizes(oldSize, newSize);
  if (oldSize === 0 || oldSize === newSize) return 0;
  // Replays RFC 9162 §2.1.4.2 steps 3-6 without hashing.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const count = pathSteps(fn, sn);
  // When oldSize is a power of two the old root itself is the first value and is not sent.
  return isPowerOfTwo(oldSize) ? count : count + 1;
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
  const want = inclusionProofSize(index, treeSize);
  if (proof.length !== want) {
    throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}, want ${want}`);
  }
  checkProofHashes(proof);

  // RFC 9162 §2.1.3.2, steps 2-5.
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}: too long for tree size ${treeSize}`);
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}: too short for tree size ${treeSize}`);
  return r;
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

  const want = consistencyProofSize(oldSize, newSize);
  if (proof.length !== want) {
    throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}, want ${want}`);
  }
  checkProofHashes(proof);

  // RFC 9162 §2.1.4.2. Step 2 (prepend the old root when oldSize is a power of two) is done
  // by choosing where the seed comes from instead of copying the array.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}: too long for sizes ${oldSize} -> ${newSize}`);
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}: too short for sizes ${oldSize} -> ${newSize}`);
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

/** Requires index and treeSize to be safe integers with 0 <= index < treeSize. */
function checkIndexInTree(index: number, treeSize: number): void {
  checkCount('index', index);
  checkCount('tree size', treeSize);
  if (treeSize === 0) {
    throw new ProofError('EMPTY_TREE', 'tree size 0: an empty tree includes no leaf');
  }
  if (index >= treeSize) {
    throw new ProofError('INDEX_OUT_OF_RANGE', `index ${index} out of range, want index < tree size ${treeSize}`);
  }
}

/** Requires oldSize and newSize to be safe integers with 0 <= oldSize <= newSize. */
function checkSizes(oldSize: number, newSize: number): void {
  checkCount('old size', oldSize);
  checkCount('new size', newSize);
  if (oldSize > newSize) {
    throw new ProofError('SIZE_DECREASE', `old size ${oldSize} is larger than new size ${newSize}: a log only grows`);
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

/**
 * Merkle Tree Hash (MTH) and proof generation, RFC 6962 §2.1 / RFC 9162 §2.1.
 *
 * The tree over n leaves splits at k, the largest power of two strictly less than n:
 * MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])). Odd leaves are neither
 * duplicated nor promoted; the right edge simply holds smaller subtrees.
 *
 * `MerkleTree` caches the hash of every complete, aligned subtree (2^h leaves starting at
 * a multiple of 2^h). Every subtree the RFC recursion visits is either such a complete
 * subtree or a right-edge subtree made of O(log n) of them, so after O(n) hashing to build
 * the tree, the root of any prefix costs O(log n) and a proof O(log² n) hashes. The free
 * functions `rootOf`, `inclusionProof` and `consistencyProof` build a tree per call; keep a
 * `MerkleTree` when asking for many proofs over the same leaves.
 */
import { checkCount, checkHash } from './checks';
import { ProofError } from './errors';
import { emptyRoot, nodeHash } from './hashing';
import { isOdd, isPowerOfTwo, log2Exact, splitPoint } from './tree-math';

/** An append-only Merkle tree over 32-byte leaf hashes, with every complete subtree cached. */
export class MerkleTree {
  /** levels[h][i]: hash of the complete subtree of 2^h leaves starting at leaf i·2^h. */
  private readonly levels: Uint8Array[][] = [[]];

  /** Builds a tree over `leafHashes` (each 32 bytes; they are copied). */
  constructor(leafHashes: Iterable<Uint8Array> = []) {
    for (const hash of leafHashes) this.append(hash);
  }

  /** Number of leaves. */
  get size(): number {
    return this.leaves.length;
  }

  private get leaves(): Uint8Array[] {
    return this.levels[0] as Uint8Array[];
  }

  /** Appends one leaf hash (32 bytes, copied). Amortised O(1) hashes. */
  append(leafHash: Uint8Array): void {
    checkHash(`leaf hash ${this.size}`, leafHash);
    this.leaves.push(leafHash.slice());
    // Each time the new leaf completes a left/right pair, cache the parent one level up.
    let index = this.size - 1;
    for (let level = 0; isOdd(index); level++) {
      const row = this.levels[level] as Uint8Array[];
      const parent = nodeHash(row[index - 1] as Uint8Array, row[index] as Uint8Array);
      if (this.levels.length === level + 1) this.levels.push([]);
      (this.levels[level + 1] as Uint8Array[]).push(parent);
      index = (index - 1) / 2;
    }
  }

  /** The hash of leaf `index`. Requires 0 <= index < size. */
  leafHash(index: number): Uint8Array {
    checkCount('index', index);
    if (index >= this.size) {
      throw new ProofError('INDEX_OUT_OF_RANGE', `index ${index} out of range, want index < ${this.size} leaves`);
    }
    return (this.leaves[index] as Uint8Array).slice();
  }

  /**
   * MTH of the first `treeSize` leaves (default: all). The empty tree's root is
   * SHA-256(""). Requires 0 <= treeSize <= size.
   */
  root(treeSize: number = this.size): Uint8Array {
    this.checkTreeSize('tree size', treeSize);
    return treeSize === 0 ? emptyRoot() : this.subtreeHash(0, treeSize).slice();
  }

  /**
   * The RFC 6962 §2.1.1 audit path PATH(index, D[0:treeSize]), ordered from the leaf's
   * sibling up to the child of the root. Requires 0 <= index < treeSize <= size.
   */
  inclusionProof(index: number, treeSize: number = this.size): Uint8Array[] {
    this.checkTreeSize('tree size', treeSize);
    checkCount('index', index);
    if (treeSize === 0) {
      throw new ProofError('EMPTY_TREE', 'tree size 0: an empty tree has no leaves to prove');
    }
    if (index >= treeSize) {
      throw new ProofError('INDEX_OUT_OF_RANGE', `index ${index} out of range, want index < tree size ${treeSize}`);
    }
    // Walk from the root down to the leaf, noting the sibling subtree at each split;
    // the proof lists them bottom-up.
    const topDown: Uint8Array[] = [];
    let start = 0;
    let end = treeSize;
    while (end - start > 1) {
      const k = splitPoint(end - start);
      if (index < start + k) {
        topDown.push(this.subtreeHash(start + k, end));
        end = start + k;
      } else {
        topDown.push(this.subtreeHash(start, start + k));
        start += k;
      }
    }
    return topDown.reverse().map((hash) => hash.slice());
  }

  /**
   * The RFC 6962 §2.1.2 consistency proof PROOF(oldSize, D[0:newSize]) (SUBPROOF with
   * b = true), ordered bottom-up. Empty when oldSize is 0 or equal to newSize: nothing
   * needs proving then. Requires 0 <= oldSize <= newSize <= size.
   */
  consistencyProof(oldSize: number, newSize: number = this.size): Uint8Array[] {
    checkCount('old size', oldSize);
    this.checkTreeSize('new size', newSize);
    if (oldSize > newSize) {
      throw new ProofError('SIZE_DECREASE', `old size ${oldSize} is larger than new size ${newSize}`);
    }
    if (oldSize === 0 || oldSize === newSize) return [];
    const topDown: Uint8Array[] = [];
    let start = 0;
    let end = newSize;
    let m = oldSize; // old leaves within [start, end)
    // `oldRootKnown` is SUBPROOF's b: true while the old tree's root is the subtree we are
    // in, which the verifier already has and so is not sent.
    let oldRootKnown = true;
    while (m !== end - start) {
      const k = splitPoint(end - start);
      if (m <= k) {
        topDown.push(this.subtreeHash(start + k, end));
        end = start + k;
      } else {
        topDown.push(this.subtreeHash(start, start + k));
        start += k;
        m -= k;
        oldRootKnown = false;
      }
    }
    if (!oldRootKnown) topDown.push(this.subtreeHash(start, end));
    return topDown.reverse().map((hash) => hash.slice());
  }

  /**
   * MTH(D[start:end]). Requires 0 <= start < end <= size and start to be a multiple of
   * the smallest power of two >= end - start, which holds for every subtree the RFC
   * recursion reaches from D[0:n] (each right part starts at its parent's split point).
   * Returns a cached array: callers must copy before handing it out.
   */
  private subtreeHash(start: number, end: number): Uint8Array {
    const n = end - start;
    if (isPowerOfTwo(n)) {
      const level = log2Exact(n);
      return (this.levels[level] as Uint8Array[])[start / n] as Uint8Array;
    }
    const k = splitPoint(n);
    return nodeHash(this.subtreeHash(start, start + k), this.subtreeHash(start + k, end));
  }

  private checkTreeSize(what: string, treeSize: number): void {
    checkCount(what, treeSize);
    if (treeSize > this.size) {
      throw new ProofError('SIZE_OUT_OF_RANGE', `${what} ${treeSize} exceeds the ${this.size} leaves available`);
    }
  }
}

/** MTH over all of `leafHashes` (32 bytes each); SHA-256("") when there are none. */
export function rootOf(leafHashes: readonly Uint8Array[]): Uint8Array {
  return new MerkleTree(leafHashes).root();
}

/**
 * Roots of every prefix: element m is the MTH of the first m leaves, for m = 0..n.
 * O(n log n) hashes in total.
 */
export function prefixRoots(leafHashes: readonly Uint8Array[]): Uint8Array[] {
  const tree = new MerkleTree(leafHashes);
  const roots: Uint8Array[] = [];
  for (let m = 0; m <= tree.size; m++) roots.push(tree.root(m));
  return roots;
}

/**
 * Inclusion proof (RFC 6962 PATH) for leaf `index` in the tree of the first `treeSize`
 * leaf hashes. Requires 0 <= index < treeSize <= leafHashes.length.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, treeSize: number): Uint8Array[] {
  checkCount('tree size', treeSize);
  return prefixTree(leafHashes, treeSize).inclusionProof(index, treeSize);
}

/**
 * Consistency proof (RFC 6962 PROOF) between the trees of the first `oldSize` and the
 * first `newSize` leaf hashes. Requires 0 <= oldSize <= newSize <= leafHashes.length.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], oldSize: number, newSize: number): Uint8Array[] {
  checkCount('new size', newSize);
  return prefixTree(leafHashes, newSize).consistencyProof(oldSize, newSize);
}

function prefixTree(leafHashes: readonly Uint8Array[], treeSize: number): MerkleTree {
  if (treeSize > leafHashes.length) {
    throw new ProofError('SIZE_OUT_OF_RANGE', `tree size ${treeSize} exceeds the ${leafHashes.length} leaf hashes given`);
  }
  // Leaves past treeSize cannot affect the proof, so they are not hashed.
  return new MerkleTree(leafHashes.slice(0, treeSize));
}

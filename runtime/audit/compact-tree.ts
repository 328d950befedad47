/**
 * The compact form of an append-only Merkle tree: only the roots of its maximal complete
 * subtrees ("peaks", one per set bit of the size, largest and leftmost first). That is
 * O(log n) hashes, enough to append leaves and compute the RFC 6962 root, so a log writer
 * can persist its state in one small record instead of re-reading every leaf.
 */
import { checkCount, checkHash } from './checks';
import { ProofError } from './errors';
import { HASH_SIZE, emptyRoot, nodeHash } from './hashing';
import { fromHex, toHex } from './hex';
import { half, isOdd } from './tree-math';

/** Serialisable state of a CompactTree. */
export interface CompactTreeState {
  size: number;
  /** Lowercase hex peak hashes, left to right. */
  peaks: string[];
}

export class CompactTree {
  private constructor(
    private treeSize: number,
    private readonly peakHashes: Uint8Array[],
  ) {}

  /** A tree with no leaves. */
  static empty(): CompactTree {
    return new CompactTree(0, []);
  }

  /**
   * Restores a tree from `state`. Requires as many 32-byte peaks as `size` has set bits
   * (INVALID_ARGUMENT otherwise); whether they are the right hashes cannot be checked
   * here, only against a root from elsewhere.
   */
  static fromState(state: CompactTreeState): CompactTree {
    checkCount('size', state.size);
    const want = peakCount(state.size);
    if (!Array.isArray(state.peaks) || state.peaks.length !== want) {
      const found = Array.isArray(state.peaks) ? String(state.peaks.length) : typeof state.peaks;
      throw new ProofError('INVALID_ARGUMENT', `wrong number of peaks ${found} for size ${state.size}, want ${want}`);
    }
    return new CompactTree(state.size, state.peaks.map((hex, i) => fromHex(hex, `peaks[${i}]`, HASH_SIZE)));
  }

  /** Number of leaves. */
  get size(): number {
    return this.treeSize;
  }

  /** The state to persist; CompactTree.fromState(tree.state()) gives the same tree. */
  state(): CompactTreeState {
    return { size: this.treeSize, peaks: this.peakHashes.map(toHex) };
  }

  /** Appends one 32-byte leaf hash. O(log n) hashes at worst, amortised O(1). */
  append(leafHash: Uint8Array): void {
    checkHash('leaf hash', leafHash);
    this.peakHashes.push(leafHash.slice());
    // Adding 1 to the size carries through its trailing one bits; each carry merges the
    // two rightmost peaks, which then have equal size.
    for (let s = this.treeSize; isOdd(s); s = half(s)) {
      const right = this.peakHashes.pop() as Uint8Array;
      const left = this.peakHashes.pop() as Uint8Array;
      this.peakHashes.push(nodeHash(left, right));
    }
    this.treeSize++;
  }

  /** The RFC 6962 root: peaks folded right to left; SHA-256("") when empty. */
  root(): Uint8Array {
    let acc: Uint8Array | undefined;
    for (let i = this.peakHashes.length - 1; i >= 0; i--) {
      const peak = this.peakHashes[i] as Uint8Array;
      acc = acc === undefined ? peak.slice() : nodeHash(peak, acc);
    }
    return acc ?? emptyRoot();
  }
}

/** Number of set bits of `size`, i.e. of peaks. Requires a non-negative safe integer. */
function peakCount(size: number): number {
  let count = 0;
  for (let s = size; s > 0; s = half(s)) if (isOdd(s)) count++;
  return count;
}

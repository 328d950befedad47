/**
 * The path walk shared by inclusion and consistency proof verification, RFC 9162 §2.1.3.2
 * step 4 and §2.1.4.2 step 6 (the same loop in both), written once as pure functions in two
 * parts: where each proof hash joins the running hash, which depends only on positions and
 * sizes (so it also gives the proof's expected length), and the hashing along that path.
 */
import { checkCount } from './checks';
import { ProofError } from './errors';
import { nodeHash } from './hashing';
import { half, isOdd } from './tree-math';

/** Where a proof hash joins the running hash: as its left sibling or as its right sibling. */
export type Side = 'left' | 'right';

/**
 * The side on which each proof hash joins, walking from node `fn` up to the root of a level
 * whose last node is `sn`: RFC 9162 §2.1.3.2 step 4 without the hashing, one side per proof
 * hash. A right child, or the last node of its level, takes its hash on the left; a last node
 * that is a left child has no sibling, so it first rises unchanged until it is a right child.
 * Requires 0 <= fn <= sn, both safe integers (ProofError INVALID_ARGUMENT otherwise).
 */
export function pathSides(fn: number, sn: number): Side[] {
  checkCount('node index', fn);
  checkCount('last node index', sn);
  if (fn > sn) {
    throw new ProofError('INVALID_ARGUMENT', `node ${fn} is past the last node ${sn} of its level, want node <= last node`);
  }
  const sides: Side[] = [];
  while (sn > 0) {
    if (isOdd(fn) || fn === sn) {
      sides.push('left');
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sides.push('right');
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sides;
}

/**
 * The path of leaf `index` in a tree of `treeSize` leaves (RFC 9162 §2.1.3.2 step 2: start at
 * the leaf, the tree's last node is treeSize - 1); its length is the inclusion proof's size.
 * Requires 0 <= index < treeSize (ProofError INVALID_ARGUMENT, EMPTY_TREE or INDEX_OUT_OF_RANGE).
 */
export function inclusionPath(index: number, treeSize: number): Side[] {
  checkIndexInTree(index, treeSize);
  return pathSides(index, treeSize - 1);
}

/**
 * The path that a consistency proof from `oldSize` to `newSize` leaves takes after its first
 * hash (RFC 9162 §2.1.4.2 steps 3-4: start at the old tree's last leaf and skip the levels on
 * which it is a right child, whose hashes the old tree's largest complete subtree already
 * covers). The proof holds one hash per side plus the first hash, which is not sent when
 * oldSize is a power of two (the old root is that hash).
 * Requires 0 < oldSize < newSize (ProofError INVALID_ARGUMENT or SIZE_DECREASE otherwise).
 */
export function consistencyPath(oldSize: number, newSize: number): Side[] {
  checkSizes(oldSize, newSize);
  if (oldSize === 0 || oldSize === newSize) {
    throw new ProofError('INVALID_ARGUMENT', `a consistency path needs 0 < old size < new size, found ${oldSize} -> ${newSize}`);
  }
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  return pathSides(fn, sn);
}

/**
 * The root reached by hashing `seed` up a path: each of `hashes` joins on its side in `sides`
 * (RFC 9162 §2.1.3.2 step 4.b, and `sr` in §2.1.4.2 step 6.b). Requires one hash per side
 * (ProofError WRONG_PROOF_SIZE otherwise); hash lengths are the caller's to check.
 */
export function chainRoot(seed: Uint8Array, hashes: readonly Uint8Array[], sides: readonly Side[]): Uint8Array {
  checkOneHashPerSide(hashes, sides);
  let root = seed;
  hashes.forEach((hash, i) => {
    root = sides[i] === 'left' ? nodeHash(hash, root) : nodeHash(root, hash);
  });
  return root;
}

/**
 * The old tree's root from a consistency path: only the hashes that join on the left belong to
 * the old tree, those on the right were appended after it (`fr` in RFC 9162 §2.1.4.2 step 6.b).
 * Requires one hash per side (ProofError WRONG_PROOF_SIZE otherwise).
 */
export function chainLeftRoot(seed: Uint8Array, hashes: readonly Uint8Array[], sides: readonly Side[]): Uint8Array {
  checkOneHashPerSide(hashes, sides);
  const left = hashes.filter((_, i) => sides[i] === 'left');
  return chainRoot(seed, left, left.map((): Side => 'left'));
}

/** Requires index and treeSize to be safe integers with 0 <= index < treeSize. */
export function checkIndexInTree(index: number, treeSize: number): void {
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
export function checkSizes(oldSize: number, newSize: number): void {
  checkCount('old size', oldSize);
  checkCount('new size', newSize);
  if (oldSize > newSize) {
    throw new ProofError('SIZE_DECREASE', `old size ${oldSize} is larger than new size ${newSize}: a log only grows`);
  }
}

function checkOneHashPerSide(hashes: readonly Uint8Array[], sides: readonly Side[]): void {
  if (hashes.length !== sides.length) {
    throw new ProofError('WRONG_PROOF_SIZE', `wrong number of path hashes ${hashes.length}, want ${sides.length} (one per step)`);
  }
}

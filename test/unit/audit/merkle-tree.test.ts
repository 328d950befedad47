/** MerkleTree / CompactTree API behaviour and argument errors; proof-size arithmetic at scale. */
import fc from 'fast-check';
import {
  CompactTree,
  MerkleTree,
  ProofError,
  consistencyProof,
  consistencyProofSize,
  emptyRoot,
  inclusionProof,
  inclusionProofSize,
  leafHash,
  nodeHash,
  rootOf,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from '../../../runtime/audit';
import { expectProofCode } from './expect-error';

const leaves = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

describe('MerkleTree', () => {
  it('has the empty-tree root SHA-256("") when empty, and refuses inclusion proofs', () => {
    const tree = new MerkleTree();
    expect(tree.size).toBe(0);
    expect(toHex(tree.root())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootOf([])).toEqual(emptyRoot());
    expectProofCode(() => tree.inclusionProof(0), 'EMPTY_TREE', 'tree size 0');
    expect(tree.consistencyProof(0)).toEqual([]);
  });

  it('in a one-leaf tree the root is the leaf hash and the inclusion proof is empty', () => {
    const [leaf] = leaves(1) as [Uint8Array];
    const tree = new MerkleTree([leaf]);
    expect(tree.root()).toEqual(leaf);
    expect(tree.inclusionProof(0)).toEqual([]);
    expect(() => verifyInclusion(leaf, 0, 1, [], leaf)).not.toThrow();
  });

  it('gives empty consistency proofs from size 0 and between equal sizes', () => {
    const tree = new MerkleTree(leaves(5));
    expect(tree.consistencyProof(0, 5)).toEqual([]);
    expect(tree.consistencyProof(3, 3)).toEqual([]);
    expect(() => verifyConsistency(0, 5, emptyRoot(), tree.root(), [])).not.toThrow();
    expect(() => verifyConsistency(3, 3, tree.root(3), tree.root(3), [])).not.toThrow();
  });

  it('does not duplicate or promote an odd last leaf: MTH of 3 leaves is H(H(a,b), c)', () => {
    const [a, b, c] = leaves(3) as [Uint8Array, Uint8Array, Uint8Array];
    const tree = new MerkleTree([a, b, c]);
    expect(tree.root()).toEqual(nodeHash(nodeHash(a, b), c));
    expect(tree.root()).not.toEqual(nodeHash(nodeHash(a, b), nodeHash(c, c)));
  });

  it('answers for any prefix size after later appends', () => {
    const all = leaves(13);
    const tree = new MerkleTree(all.slice(0, 6));
    const rootAt6 = tree.root();
    const proofAt6 = tree.inclusionProof(4);
    for (const leaf of all.slice(6)) tree.append(leaf);
    expect(tree.root(6)).toEqual(rootAt6);
    expect(tree.inclusionProof(4, 6)).toEqual(proofAt6);
    expect(tree.root()).toEqual(rootOf(all));
  });

  it('copies hashes in and out, so callers cannot corrupt its cache', () => {
    const input = leaves(4);
    const tree = new MerkleTree(input);
    const root = tree.root();
    const flipFirstBit = (bytes: Uint8Array): void => {
      bytes[0] = (bytes[0] as number) ^ 1;
    };
    flipFirstBit(input[0] as Uint8Array);
    const proof = tree.inclusionProof(3);
    flipFirstBit(proof[0] as Uint8Array);
    flipFirstBit(tree.root());
    expect(tree.root()).toEqual(root);
    expect(tree.inclusionProof(3)).not.toEqual(proof);
  });

  it('free functions agree with the class and ignore leaves past the tree size', () => {
    const all = leaves(20);
    const tree = new MerkleTree(all.slice(0, 11));
    expect(inclusionProof(all, 7, 11)).toEqual(tree.inclusionProof(7));
    expect(consistencyProof(all, 4, 11)).toEqual(tree.consistencyProof(4));
  });

  it.each([
    ['negative index', () => new MerkleTree(leaves(4)).inclusionProof(-1), 'INVALID_ARGUMENT', 'index must be a non-negative safe integer, found -1'],
    ['fractional size', () => new MerkleTree(leaves(4)).root(2.5), 'INVALID_ARGUMENT', 'tree size must be a non-negative safe integer, found 2.5'],
    ['NaN size', () => new MerkleTree(leaves(4)).root(Number.NaN), 'INVALID_ARGUMENT', 'found NaN'],
    ['index = tree size', () => new MerkleTree(leaves(4)).inclusionProof(4), 'INDEX_OUT_OF_RANGE', 'index 4 out of range, want index < tree size 4'],
    ['index beyond a smaller tree size', () => new MerkleTree(leaves(8)).inclusionProof(5, 5), 'INDEX_OUT_OF_RANGE', 'want index < tree size 5'],
    ['size beyond the leaves', () => new MerkleTree(leaves(4)).root(5), 'SIZE_OUT_OF_RANGE', 'tree size 5 exceeds the 4 leaves available'],
    ['free function: size beyond the leaves', () => inclusionProof(leaves(4), 0, 9), 'SIZE_OUT_OF_RANGE', 'tree size 9 exceeds the 4 leaf hashes given'],
    ['consistency going backwards', () => new MerkleTree(leaves(8)).consistencyProof(6, 5), 'SIZE_DECREASE', 'old size 6 is larger than new size 5'],
    ['consistency beyond the leaves', () => consistencyProof(leaves(4), 2, 6), 'SIZE_OUT_OF_RANGE', 'tree size 6 exceeds the 4 leaf hashes given'],
    ['leaf hash of 31 bytes', () => new MerkleTree([new Uint8Array(31)]), 'WRONG_HASH_SIZE', 'leaf hash 0 is 31 bytes, want 32'],
    ['leaf hash that is not bytes', () => new MerkleTree(['ab' as unknown as Uint8Array]), 'INVALID_ARGUMENT', 'leaf hash 0 must be a Uint8Array, found string'],
    ['leafHash out of range', () => new MerkleTree(leaves(2)).leafHash(2), 'INDEX_OUT_OF_RANGE', 'index 2 out of range'],
  ])('refuses %s', (_name, run, code, message) => {
    expectProofCode(run, code, message);
  });

  it('errors are ProofErrors with a name and a code', () => {
    try {
      new MerkleTree().inclusionProof(0);
      throw new Error('expected a ProofError');
    } catch (err) {
      expect(err).toBeInstanceOf(ProofError);
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ name: 'ProofError', code: 'EMPTY_TREE' });
    }
  });
});

describe('proof sizes', () => {
  // Reference: the proof length is the depth of the leaf in the RFC 6962 tree (one sibling per split).
  const depth = (index: number, size: number): number => {
    let d = 0;
    while (size > 1) {
      // Math.log2 rounds near 2^53, so correct its guess to the power of two k with k < size <= 2k.
      let k = 2 ** Math.floor(Math.log2(size - 1));
      while (k >= size) k /= 2;
      while (k * 2 < size) k *= 2;
      if (index < k) size = k;
      else {
        index -= k;
        size -= k;
      }
      d++;
    }
    return d;
  };

  it('inclusionProofSize is the leaf depth, also beyond 2^32 where 32-bit bit operations would wrap', () => {
    expect(inclusionProofSize(0, 1)).toBe(0);
    expect(inclusionProofSize(5, 8)).toBe(3);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (size, f) => {
        const index = Math.floor(f * size);
        expect(inclusionProofSize(index, size)).toBe(depth(index, size));
      }),
      { numRuns: 300 },
    );
    expect(inclusionProofSize(2 ** 32, 2 ** 32 + 1)).toBe(1);
    expect(inclusionProofSize(0, 2 ** 53 - 1)).toBe(53);
  });

  it('validates its arguments instead of looping on them', () => {
    expectProofCode(() => inclusionProofSize(0, Infinity), 'INVALID_ARGUMENT', 'tree size must be a non-negative safe integer, found Infinity');
    expectProofCode(() => inclusionProofSize(3, 3), 'INDEX_OUT_OF_RANGE');
    expectProofCode(() => consistencyProofSize(1, 2 ** 60), 'INVALID_ARGUMENT', 'new size must be a non-negative safe integer');
    expectProofCode(() => consistencyProofSize(4, 3), 'SIZE_DECREASE', 'old size 4 is larger than new size 3');
    expect([consistencyProofSize(0, 9), consistencyProofSize(9, 9)]).toEqual([0, 0]);
  });

  it('consistencyProofSize matches the generated proof for all sizes up to 40', () => {
    const tree = new MerkleTree(leaves(40));
    for (let n = 2; n <= 40; n++) {
      for (let m = 1; m < n; m++) expect([m, n, consistencyProofSize(m, n)]).toEqual([m, n, tree.consistencyProof(m, n).length]);
    }
  });

  it('verifies against huge tree sizes without 32-bit overflow (shape only)', () => {
    // The last leaf of a tree of 2^40 + 1 leaves is the right child of the root, so its proof
    // is the single hash of the left 2^40-leaf subtree.
    const [left, last] = leaves(2) as [Uint8Array, Uint8Array];
    const size = 2 ** 40 + 1;
    expect(() => verifyInclusion(last, size - 1, size, [left], nodeHash(left, last))).not.toThrow();
    expectProofCode(() => verifyInclusion(last, size - 2, size, [left], nodeHash(left, last)), 'WRONG_PROOF_SIZE', 'wrong proof size 1, want 41');
  });
});

describe('CompactTree', () => {
  it('tracks the same root as MerkleTree for every size up to 300, and round-trips its state', () => {
    const all = leaves(300);
    const tree = new MerkleTree();
    let compact = CompactTree.empty();
    all.forEach((leaf, i) => {
      tree.append(leaf);
      compact.append(leaf);
      expect(compact.root()).toEqual(tree.root());
      if (i % 37 === 0) compact = CompactTree.fromState(JSON.parse(JSON.stringify(compact.state())) as ReturnType<CompactTree['state']>);
    });
    expect(compact.size).toBe(300);
    expect(compact.state().peaks).toHaveLength(4); // 300 = 256 + 32 + 8 + 4
  });

  it('refuses a state whose peak count does not fit its size', () => {
    const peak = toHex(leafHash(Buffer.from('x')));
    expectProofCode(() => CompactTree.fromState({ size: 3, peaks: [peak] }), 'INVALID_ARGUMENT', 'wrong number of peaks 1 for size 3, want 2');
    expectProofCode(() => CompactTree.fromState({ size: 1, peaks: [peak.toUpperCase()] }), 'INVALID_HEX', 'peaks[0]');
    expectProofCode(() => CompactTree.fromState({ size: -1, peaks: [] }), 'INVALID_ARGUMENT', 'size must be a non-negative safe integer');
  });
});

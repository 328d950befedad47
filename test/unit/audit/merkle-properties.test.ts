/**
 * Property-based tests over random trees (1..300 leaves). Leaves are leaf hashes of
 * `${seed}:${i}` for a random seed, which is as random as generating the bytes and much
 * cheaper to shrink. A straightforward recursive transcription of RFC 6962 §2.1 (MTH, PATH,
 * PROOF) serves as the reference for generated roots and proofs.
 */
import fc from 'fast-check';
import { MerkleTree, emptyRoot, leafHash, nodeHash, toHex, verifyConsistency, verifyInclusion } from '../../../runtime/audit';
import { thrownBy } from './expect-error';

const leavesFor = (n: number, seed: number): Uint8Array[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`${seed}:${i}`)));

// --- Reference: RFC 6962 §2.1 definitions, over leaf hashes, written for clarity not speed.
const split = (n: number): number => 2 ** Math.floor(Math.log2(n - 1)); // largest power of 2 < n, for n >= 2
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return emptyRoot();
  if (d.length === 1) return d[0] as Uint8Array;
  const k = split(d.length);
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}
const proofRef = (m: number, d: Uint8Array[]): Uint8Array[] => (m === 0 ? [] : subproof(m, d, true));

const hexes = (hashes: Uint8Array[]): string[] => hashes.map(toHex);
const flipBit = (hash: Uint8Array, bit: number): Uint8Array => {
  const copy = hash.slice();
  const at = Math.floor(bit / 8) % copy.length;
  copy[at] = (copy[at] as number) ^ (1 << bit % 8);
  return copy;
};
const codeOf = (run: () => void): string | undefined => (thrownBy(run) as { code?: string } | undefined)?.code;

const treeArb = fc.record({ n: fc.integer({ min: 1, max: 300 }), seed: fc.integer() });
/** A tree plus a position in it: 0 <= i < n. */
const leafArb = treeArb.chain(({ n, seed }) => fc.record({ n: fc.constant(n), seed: fc.constant(seed), i: fc.integer({ min: 0, max: n - 1 }) }));
/** A tree plus an old size: 1 <= m < n, so the consistency proof is not trivially empty. */
const growthArb = fc
  .record({ n: fc.integer({ min: 2, max: 300 }), seed: fc.integer() })
  .chain(({ n, seed }) => fc.record({ n: fc.constant(n), seed: fc.constant(seed), m: fc.integer({ min: 1, max: n - 1 }) }));
const bitArb = fc.integer({ min: 0, max: 255 });

describe('Merkle tree properties', () => {
  it('roots, inclusion proofs and consistency proofs match the RFC 6962 recursive definitions', () => {
    fc.assert(
      fc.property(growthArb, fc.nat(), ({ n, seed, m }, pick) => {
        const leaves = leavesFor(n, seed);
        const tree = new MerkleTree(leaves);
        const i = pick % n;
        expect(toHex(tree.root())).toBe(toHex(mth(leaves)));
        expect(toHex(tree.root(m))).toBe(toHex(mth(leaves.slice(0, m))));
        expect(hexes(tree.inclusionProof(i))).toEqual(hexes(path(i, leaves)));
        expect(hexes(tree.consistencyProof(m))).toEqual(hexes(proofRef(m, leaves)));
      }),
      { numRuns: 40 },
    );
  });

  it('every leaf inclusion proof verifies against the root', () => {
    fc.assert(
      fc.property(treeArb, ({ n, seed }) => {
        const leaves = leavesFor(n, seed);
        const tree = new MerkleTree(leaves);
        const root = tree.root();
        leaves.forEach((leaf, i) => verifyInclusion(leaf, i, n, tree.inclusionProof(i), root));
      }),
      { numRuns: 25 },
    );
  });

  it('every consistency proof from an older size m <= n verifies', () => {
    fc.assert(
      fc.property(treeArb, ({ n, seed }) => {
        const tree = new MerkleTree(leavesFor(n, seed));
        const newRoot = tree.root();
        for (let m = 0; m <= n; m++) verifyConsistency(m, n, tree.root(m), newRoot, tree.consistencyProof(m));
      }),
      { numRuns: 25 },
    );
  });

  it('rejects an inclusion proof with one bit flipped in a proof element, the leaf hash or the root', () => {
    fc.assert(
      fc.property(leafArb, fc.nat(), bitArb, ({ n, seed, i }, which, bit) => {
        const leaves = leavesFor(n, seed);
        const tree = new MerkleTree(leaves);
        const proof = tree.inclusionProof(i);
        const leaf = leaves[i] as Uint8Array;
        const root = tree.root();
        const target = which % (proof.length + 2); // a proof element, or the leaf, or the root
        if (target < proof.length) {
          const bad = proof.map((hash, j) => (j === target ? flipBit(hash, bit) : hash));
          expect(codeOf(() => verifyInclusion(leaf, i, n, bad, root))).toBe('ROOT_MISMATCH');
        } else if (target === proof.length) {
          expect(codeOf(() => verifyInclusion(flipBit(leaf, bit), i, n, proof, root))).toBe('ROOT_MISMATCH');
        } else {
          expect(codeOf(() => verifyInclusion(leaf, i, n, proof, flipBit(root, bit)))).toBe('ROOT_MISMATCH');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('rejects an inclusion proof checked at index +-1, or at size +-1 against that size\'s real root', () => {
    fc.assert(
      fc.property(leafArb, ({ n, seed, i }) => {
        const leaves = leavesFor(n + 1, seed); // one spare leaf for the size n + 1 tree
        const tree = new MerkleTree(leaves);
        const proof = tree.inclusionProof(i, n);
        const leaf = leaves[i] as Uint8Array;
        const root = tree.root(n);
        expect(codeOf(() => verifyInclusion(leaf, i, n, proof, root))).toBeUndefined();
        for (const index of [i - 1, i + 1]) {
          expect(codeOf(() => verifyInclusion(leaf, index, n, proof, root))).toBeDefined();
        }
        // A size change is only meaningful with the root of that size: see verify.ts on why
        // a proof can pass with a wrong size and the same root.
        for (const size of [n - 1, n + 1]) {
          expect(codeOf(() => verifyInclusion(leaf, i, size, proof, tree.root(size)))).toBeDefined();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a consistency proof with one bit flipped in a proof element or either root', () => {
    fc.assert(
      fc.property(growthArb, fc.nat(), bitArb, ({ n, seed, m }, which, bit) => {
        const tree = new MerkleTree(leavesFor(n, seed));
        const proof = tree.consistencyProof(m);
        const oldRoot = tree.root(m);
        const newRoot = tree.root();
        const target = which % (proof.length + 2);
        let code: string | undefined;
        if (target < proof.length) {
          const bad = proof.map((hash, j) => (j === target ? flipBit(hash, bit) : hash));
          code = codeOf(() => verifyConsistency(m, n, oldRoot, newRoot, bad));
        } else if (target === proof.length) {
          code = codeOf(() => verifyConsistency(m, n, flipBit(oldRoot, bit), newRoot, proof));
        } else {
          code = codeOf(() => verifyConsistency(m, n, oldRoot, flipBit(newRoot, bit), proof));
        }
        expect(code).toBe('ROOT_MISMATCH');
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a consistency proof checked at old or new size +-1 against the real roots of those sizes', () => {
    fc.assert(
      fc.property(growthArb, ({ n, seed, m }) => {
        const tree = new MerkleTree(leavesFor(n + 1, seed));
        const proof = tree.consistencyProof(m, n);
        const root = (size: number): Uint8Array => tree.root(size);
        expect(codeOf(() => verifyConsistency(m, n, root(m), root(n), proof))).toBeUndefined();
        for (const oldSize of [m - 1, m + 1]) {
          expect(codeOf(() => verifyConsistency(oldSize, n, root(oldSize), root(n), proof))).toBeDefined();
        }
        for (const newSize of [n - 1, n + 1]) {
          expect(codeOf(() => verifyConsistency(m, newSize, root(m), root(newSize), proof))).toBeDefined();
        }
      }),
      { numRuns: 150 },
    );
  });
});

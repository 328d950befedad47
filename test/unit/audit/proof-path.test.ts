/**
 * The RFC 9162 path walk on its own: the sides it derives from positions, the roots it hashes
 * up to (the published vectors of test/testdata/rfc6962-vectors.json), and its own rejections,
 * which verifyInclusion and verifyConsistency never reach because they check sizes first.
 */
import { fromHex, leafHash, toHex } from '../../../runtime/audit';
import { chainLeftRoot, chainRoot, consistencyPath, inclusionPath, pathSides } from '../../../runtime/audit/proof-path';
import corrupted from '../../testdata/corrupted-proofs.json';
import vectors from '../../testdata/rfc6962-vectors.json';
import { expectProofCode } from './expect-error';

const roots = vectors.rootsBySize as Record<string, string>;
const leafHashes = vectors.leaves.map((hex) => leafHash(fromHex(hex)));
const bytes = (hexList: string[]): Uint8Array[] => hexList.map((hex) => fromHex(hex));
const inclusionProbe = (name: string) => {
  const probe = corrupted.inclusion.find((p) => p.name === name);
  if (!probe) throw new Error(`no inclusion probe ${JSON.stringify(name)} in corrupted-proofs.json`);
  return probe;
};

const consistencyProbe = (name: string) => {
  const probe = corrupted.consistency.find((p) => p.name === name);
  if (!probe) throw new Error(`no consistency probe ${JSON.stringify(name)} in corrupted-proofs.json`);
  return probe;
};

describe('pathSides and the paths built on it', () => {
  it('gives the sides hand-derived from RFC 9162 §2.1.3.2 step 4', () => {
    // Leaf 5 of 8: a right child (sibling 4 on the left), then node 2 of 4 (sibling on the right), then node 1 of 2.
    expect(inclusionPath(5, 8)).toEqual(['left', 'right', 'left']);
    // Leaf 3 of 7, RFC 6962 §2.1.3's example [c, g, l]: two left siblings, then the root of leaves 4..6 on the right.
    expect(inclusionPath(3, 7)).toEqual(['left', 'left', 'right']);
    // Leaf 4 of 5 has no sibling until the root, where leaves 0..3 join on the left.
    expect(inclusionPath(4, 5)).toEqual(['left']);
    expect(inclusionPath(0, 1)).toEqual([]);
    // 6 -> 8: leaf 5 is a right child, so the walk starts at node 2 of 4 (whose last node is 3).
    expect(consistencyPath(6, 8)).toEqual(['right', 'left']);
    expect(consistencyPath(6, 8)).toEqual(pathSides(2, 3));
  });

  it.each([
    { name: 'node past the last node', run: () => pathSides(3, 2), code: 'INVALID_ARGUMENT', message: 'node 3 is past the last node 2 of its level, want node <= last node' },
    { name: 'negative node', run: () => pathSides(-1, 2), code: 'INVALID_ARGUMENT', message: 'node index must be a non-negative safe integer, found -1' },
    { name: 'fractional last node', run: () => pathSides(0, 2.5), code: 'INVALID_ARGUMENT', message: 'last node index must be a non-negative safe integer, found 2.5' },
    { name: 'leaf index equal to the tree size', run: () => inclusionPath(8, 8), code: 'INDEX_OUT_OF_RANGE', message: 'index 8 out of range, want index < tree size 8' },
    { name: 'empty tree', run: () => inclusionPath(0, 0), code: 'EMPTY_TREE', message: 'tree size 0' },
    { name: 'consistency from size 0', run: () => consistencyPath(0, 5), code: 'INVALID_ARGUMENT', message: 'a consistency path needs 0 < old size < new size, found 0 -> 5' },
    { name: 'consistency between equal sizes', run: () => consistencyPath(5, 5), code: 'INVALID_ARGUMENT', message: 'found 5 -> 5' },
    { name: 'consistency to a smaller size', run: () => consistencyPath(6, 5), code: 'SIZE_DECREASE', message: 'old size 6 is larger than new size 5' },
  ])('rejects $name', ({ run, code, message }) => {
    expectProofCode(run, code, message);
  });
});

describe('chainRoot and chainLeftRoot over the published proofs', () => {
  it.each(vectors.inclusion)('inclusion of leaf $index in size $treeSize hashes up to the published root', ({ index, treeSize, proof }) => {
    expect(toHex(chainRoot(leafHashes[index] as Uint8Array, bytes(proof), inclusionPath(index, treeSize)))).toBe(roots[String(treeSize)]);
  });

  it.each(vectors.consistency.filter((v) => v.oldSize > 0 && v.oldSize < v.newSize))(
    'consistency $oldSize -> $newSize hashes up to both published roots',
    ({ oldSize, newSize, proof }) => {
      const oldRoot = fromHex(roots[String(oldSize)] as string);
      // RFC 9162 §2.1.4.2 step 2: for a power-of-two old size the old root is the unsent first hash.
      const path = Number.isInteger(Math.log2(oldSize)) ? [oldRoot, ...bytes(proof)] : bytes(proof);
      const [seed, ...rest] = path as [Uint8Array, ...Uint8Array[]];
      const sides = consistencyPath(oldSize, newSize);
      expect(toHex(chainLeftRoot(seed, rest, sides))).toBe(roots[String(oldSize)]);
      expect(toHex(chainRoot(seed, rest, sides))).toBe(roots[String(newSize)]);
    },
  );
});

describe('chainRoot and chainLeftRoot over corrupted proofs', () => {
  const intact = inclusionProbe('index one less (4): same proof length, other side');
  const leaf5 = leafHashes[5] as Uint8Array;

  it('reject a truncated or padded proof with both counts', () => {
    const truncated = bytes(inclusionProbe('proof truncated').proof);
    const padded = bytes(inclusionProbe('root appended to proof').proof);
    expectProofCode(() => chainRoot(leaf5, truncated, inclusionPath(5, 8)), 'WRONG_PROOF_SIZE', 'wrong number of path hashes 2, want 3 (one per step)');
    expectProofCode(() => chainRoot(leaf5, padded, inclusionPath(5, 8)), 'WRONG_PROOF_SIZE', 'wrong number of path hashes 4, want 3 (one per step)');
    // 6 -> 8 truncated: after its first hash (the seed) one hash is left for a path of two steps.
    const [seed, ...rest] = bytes(consistencyProbe('proof truncated').proof) as [Uint8Array, ...Uint8Array[]];
    expectProofCode(() => chainLeftRoot(seed, rest, consistencyPath(6, 8)), 'WRONG_PROOF_SIZE', 'wrong number of path hashes 1, want 2 (one per step)');
    expectProofCode(() => chainRoot(seed, rest, consistencyPath(6, 8)), 'WRONG_PROOF_SIZE', 'wrong number of path hashes 1, want 2 (one per step)');
  });

  it('reaches a wrong root from a flipped proof hash or from the other side at one step', () => {
    const root = roots['8'];
    expect(toHex(chainRoot(leaf5, bytes(intact.proof), inclusionPath(5, 8)))).toBe(root);
    const flipped = bytes(inclusionProbe('proof[0] bit 0 flipped').proof);
    expect(toHex(chainRoot(leaf5, flipped, inclusionPath(5, 8)))).not.toBe(root);
    // Leaf 4's path differs from leaf 5's only at the first step: the same hashes then give another root.
    expect(inclusionPath(4, 8)).toEqual(['right', 'right', 'left']);
    expect(toHex(chainRoot(leaf5, bytes(intact.proof), inclusionPath(4, 8)))).not.toBe(root);
  });
});

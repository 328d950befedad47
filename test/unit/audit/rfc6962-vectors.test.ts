/**
 * The RFC 6962 reference tree of the Certificate Transparency implementation: published
 * roots for every size, every complete subtree hash, compact peaks, inclusion and
 * consistency proofs (test/testdata/rfc6962-vectors.json, with its sources).
 */
import {
  CompactTree,
  MerkleTree,
  consistencyProof,
  emptyRoot,
  fromHex,
  inclusionProof,
  leafHash,
  nodeHash,
  prefixRoots,
  rootOf,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from '../../../runtime/audit';
import vectors from '../../testdata/rfc6962-vectors.json';

const roots = vectors.rootsBySize as Record<string, string>;
const peaks = vectors.compactPeaksBySize as Record<string, string[]>;
const leafData = vectors.leaves.map((hex) => fromHex(hex));
const leafHashes = leafData.map(leafHash);
const tree = new MerkleTree(leafHashes);
const hexes = (hashes: Uint8Array[]): string[] => hashes.map(toHex);
const bytes = (hexList: string[]): Uint8Array[] => hexList.map((hex) => fromHex(hex));

describe('RFC 6962 hashing vectors', () => {
  it('hashes the empty tree, an empty leaf, a leaf and a node as published', () => {
    const { hasher } = vectors;
    expect(toHex(emptyRoot())).toBe(hasher.emptyRoot);
    expect(toHex(leafHash(new Uint8Array(0)))).toBe(hasher.emptyLeaf.leafHash);
    expect(toHex(leafHash(Buffer.from(hasher.leaf.dataUtf8)))).toBe(hasher.leaf.leafHash);
    expect(toHex(nodeHash(Buffer.from(hasher.node.leftUtf8), Buffer.from(hasher.node.rightUtf8)))).toBe(hasher.node.nodeHash);
  });

  it('gives every leaf of the reference tree its published hash', () => {
    expect(hexes(leafHashes)).toEqual(vectors.nodeHashesByLevel[0]);
  });
});

describe('RFC 6962 reference tree roots', () => {
  it('rootOf matches the published root of every prefix, 0 through 8 leaves', () => {
    for (let size = 0; size <= 8; size++) {
      expect([size, toHex(rootOf(leafHashes.slice(0, size)))]).toEqual([size, roots[String(size)]]);
    }
  });

  it('MerkleTree.root and prefixRoots agree with the published roots', () => {
    const expected = Array.from({ length: 9 }, (_, size) => roots[String(size)]);
    expect(hexes(prefixRoots(leafHashes))).toEqual(expected);
    expect(Array.from({ length: 9 }, (_, size) => toHex(tree.root(size)))).toEqual(expected);
  });

  it('appending leaf by leaf gives the published root after each leaf', () => {
    const growing = new MerkleTree();
    expect(toHex(growing.root())).toBe(roots['0']);
    leafHashes.forEach((hash, i) => {
      growing.append(hash);
      expect(toHex(growing.root())).toBe(roots[String(i + 1)]);
    });
  });

  it('CompactTree holds the published peaks and root for every size', () => {
    const compact = CompactTree.empty();
    expect(compact.state()).toEqual({ size: 0, peaks: [] });
    expect(toHex(compact.root())).toBe(roots['0']);
    leafHashes.forEach((hash, i) => {
      compact.append(hash);
      const size = String(i + 1);
      expect(compact.state()).toEqual({ size: i + 1, peaks: peaks[size] });
      expect(toHex(compact.root())).toBe(roots[size]);
    });
  });

  it('a CompactTree restored from published peaks continues to the published roots', () => {
    const compact = CompactTree.fromState({ size: 3, peaks: peaks['3'] ?? [] });
    expect(toHex(compact.root())).toBe(roots['3']);
    for (let i = 3; i < 8; i++) compact.append(leafHashes[i] as Uint8Array);
    expect(toHex(compact.root())).toBe(roots['8']);
  });
});

describe.each(vectors.inclusion)('published inclusion proof: leaf index $index in tree size $treeSize', ({ index, treeSize, proof }) => {
  const root = fromHex(roots[String(treeSize)] as string);
  const leaf = leafHashes[index] as Uint8Array;

  it('is generated exactly (MerkleTree and inclusionProof)', () => {
    expect(hexes(tree.inclusionProof(index, treeSize))).toEqual(proof);
    expect(hexes(inclusionProof(leafHashes, index, treeSize))).toEqual(proof);
  });

  it('verifies against the published root', () => {
    expect(() => verifyInclusion(leaf, index, treeSize, bytes(proof), root)).not.toThrow();
  });
});

describe.each(vectors.consistency)('published consistency proof: $oldSize -> $newSize', ({ oldSize, newSize, proof }) => {
  const oldRoot = fromHex(roots[String(oldSize)] as string);
  const newRoot = fromHex(roots[String(newSize)] as string);

  it('is generated exactly (MerkleTree and consistencyProof)', () => {
    expect(hexes(tree.consistencyProof(oldSize, newSize))).toEqual(proof);
    expect(hexes(consistencyProof(leafHashes, oldSize, newSize))).toEqual(proof);
  });

  it('verifies against the published roots', () => {
    expect(() => verifyConsistency(oldSize, newSize, oldRoot, newRoot, bytes(proof))).not.toThrow();
  });
});

describe('inclusion proofs built from published complete-subtree hashes', () => {
  // The 7-leaf example tree of RFC 6962 §2.1.3: the audit path for d3 is [c, g, l], where
  // l = HASH(i, j) is the root of leaves 4..6. All parts come from the published hashes.
  it('leaf 3 of 7 is proved by [c, g, l] = [leaf 2, node(0..1), root of leaves 4..6]', () => {
    const [level0, level1] = vectors.nodeHashesByLevel as [string[], string[]];
    const rightOf4 = nodeHash(fromHex(level1[2] as string), fromHex(level0[6] as string));
    const proof = [fromHex(level0[2] as string), fromHex(level1[0] as string), rightOf4];
    expect(hexes(tree.inclusionProof(3, 7))).toEqual(hexes(proof));
    expect(() => verifyInclusion(leafHashes[3] as Uint8Array, 3, 7, proof, fromHex(roots['7'] as string))).not.toThrow();
  });
});

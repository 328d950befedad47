/** Batch roots, membership proofs, and sorted-batch non-membership proofs. */
import fc from 'fast-check';
import {
  Batch,
  EMPTY_ROOT_HEX,
  SortedBatch,
  batchInclusionProof,
  batchRoot,
  fromHex,
  isAbsentFromBatch,
  isInBatch,
  leafHash,
  nonMembershipProof,
  recordLeafHash,
  sortedBatchRoot,
  toHex,
  verifyBatchInclusion,
  verifyNonMembership,
  type BatchInclusionProof,
  type NonMembershipProof,
} from '../../../runtime/audit';
import vectors from '../../testdata/rfc6962-vectors.json';
import { expectProofCode } from './expect-error';

const leafHex = (record: string): string => toHex(recordLeafHash(record));
const records = Array.from({ length: 10 }, (_, i) => `run-${i}/event`);
const sorted = new SortedBatch(records);
const sortedLeaves = Array.from({ length: sorted.size }, (_, i) => sorted.leafHash(i));

/** Deterministically finds a record absent from `records` whose leaf hash satisfies `where`. */
function absentRecord(where: (leaf: string) => boolean): string {
  for (let i = 0; ; i++) {
    const candidate = `probe-${i}`;
    if (where(leafHex(candidate))) return candidate;
  }
}
const first = sortedLeaves[0] as string;
const last = sortedLeaves[sortedLeaves.length - 1] as string;
const below = absentRecord((leaf) => leaf < first);
const above = absentRecord((leaf) => leaf > last);
const between = absentRecord((leaf) => leaf > (sortedLeaves[3] as string) && leaf < (sortedLeaves[4] as string));

describe('batch root and inclusion proofs', () => {
  const referenceRecords = vectors.leaves.map((hex) => fromHex(hex));

  it('the batch of the RFC 6962 reference inputs has the published root and proofs', () => {
    expect(batchRoot(referenceRecords)).toBe(vectors.rootsBySize['8']);
    for (const { index, treeSize, proof } of vectors.inclusion.filter((p) => p.treeSize === 8)) {
      expect(batchInclusionProof(referenceRecords, index)).toEqual({ index, batchSize: treeSize, leafHash: vectors.nodeHashesByLevel[0]?.[index], path: proof });
    }
  });

  it('hashes a string record as its UTF-8 bytes, and a record digest as a record', () => {
    expect(recordLeafHash('é')).toEqual(leafHash(Uint8Array.of(0xc3, 0xa9)));
    const digest = new Uint8Array(32).fill(7);
    expect(batchRoot([digest])).toBe(toHex(leafHash(digest)));
  });

  it('proves each record of an ordered batch, also after a JSON round trip', () => {
    const batch = new Batch(records);
    records.forEach((record, i) => {
      const proof = JSON.parse(JSON.stringify(batch.inclusionProof(i))) as BatchInclusionProof;
      expect(() => verifyBatchInclusion(record, proof, batch.root)).not.toThrow();
      expect(isInBatch(record, proof, batch.root)).toBe(true);
    });
  });

  it('the order of records matters for an ordered batch', () => {
    expect(batchRoot(['a', 'b'])).not.toBe(batchRoot(['b', 'a']));
  });

  describe('rejects', () => {
    const batch = new Batch(records);
    const proof = batch.inclusionProof(4);
    const record = records[4] as string;
    const flip = (hex: string): string => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
    const cases: [string, () => unknown, string, string?][] = [
      ['another record', () => verifyBatchInclusion('run-4/other', proof, batch.root), 'LEAF_MISMATCH', 'but the proof is for leaf'],
      ['a tampered path', () => verifyBatchInclusion(record, { ...proof, path: [flip(proof.path[0] as string), ...proof.path.slice(1)] }, batch.root), 'ROOT_MISMATCH'],
      ['another root', () => verifyBatchInclusion(record, proof, new Batch(records.slice(1)).root), 'ROOT_MISMATCH'],
      ['a wrong index', () => verifyBatchInclusion(record, { ...proof, index: 5 }, batch.root), 'ROOT_MISMATCH'],
      ['a wrong batch size', () => verifyBatchInclusion(record, { ...proof, batchSize: 20 }, batch.root), 'WRONG_PROOF_SIZE', 'wrong proof size 4, want 5'],
      ['uppercase hex in the root', () => verifyBatchInclusion(record, proof, batch.root.toUpperCase()), 'INVALID_HEX', 'root: want an even number of lowercase hex digits'],
      ['a short path hash', () => verifyBatchInclusion(record, { ...proof, path: [(proof.path[0] as string).slice(2), ...proof.path.slice(1)] }, batch.root), 'INVALID_HEX', 'proof.path[0]: wrong length 31 bytes, want 32'],
      ['a missing path', () => verifyBatchInclusion(record, { ...proof, path: undefined as unknown as string[] }, batch.root), 'INVALID_ARGUMENT', 'proof.path must be an array'],
      ['an index past the batch', () => new Batch(records).inclusionProof(10), 'INDEX_OUT_OF_RANGE', 'index 10 out of range, want index < tree size 10'],
      ['a proof in an empty batch', () => new Batch([]).inclusionProof(0), 'EMPTY_TREE'],
      ['a record that is neither bytes nor string', () => recordLeafHash(42 as unknown as string), 'INVALID_ARGUMENT', 'a batch record must be a Uint8Array or a string, found number'],
    ];
    // Rest parameters: rows without a message must not make Jest pass a `done` callback.
    it.each(cases)('%s', (...[, run, code, message]) => {
      expectProofCode(run, code, message);
    });
  });
});

describe('sorted batch', () => {
  it('sorts leaves by leaf hash, so record order does not change the root', () => {
    expect([...sortedLeaves].sort()).toEqual(sortedLeaves);
    expect(sortedBatchRoot([...records].reverse())).toBe(sorted.root);
    const bySortedLeaf = [...records].sort((a, b) => (leafHex(a) < leafHex(b) ? -1 : 1));
    expect(batchRoot(bySortedLeaf)).toBe(sorted.root);
  });

  it('proves membership of every record', () => {
    for (const record of records) {
      const proof = sorted.inclusionProofOf(record);
      expect(sorted.indexOf(record)).toBe(proof.index);
      expect(() => verifyBatchInclusion(record, proof, sorted.root)).not.toThrow();
    }
    expect(sorted.indexOf(below)).toBe(-1);
    expectProofCode(() => sorted.inclusionProofOf(below), 'LEAF_MISMATCH', 'is not in this batch of 10');
  });

  it('refuses duplicate records', () => {
    expectProofCode(() => new SortedBatch(['a', 'b', 'a']), 'DUPLICATE_LEAF', `two records have leaf hash ${leafHex('a')}`);
  });
});

describe('non-membership proofs', () => {
  const roundTrip = (proof: NonMembershipProof): NonMembershipProof => JSON.parse(JSON.stringify(proof)) as NonMembershipProof;

  it('for a value below the first leaf: only the first leaf, as right neighbour', () => {
    const proof = nonMembershipProof(records, below);
    expect(proof.left).toBeUndefined();
    expect(proof.right?.index).toBe(0);
    expect(() => verifyNonMembership(below, roundTrip(proof), sorted.root)).not.toThrow();
  });

  it('for a value above the last leaf: only the last leaf, as left neighbour', () => {
    const proof = nonMembershipProof(records, above);
    expect(proof.left?.index).toBe(9);
    expect(proof.right).toBeUndefined();
    expect(() => verifyNonMembership(above, roundTrip(proof), sorted.root)).not.toThrow();
  });

  it('for a value between two leaves: both adjacent neighbours', () => {
    const proof = sorted.nonMembershipProof(between);
    expect([proof.left?.index, proof.right?.index]).toEqual([3, 4]);
    expect(() => verifyNonMembership(between, roundTrip(proof), sorted.root)).not.toThrow();
    expect(isAbsentFromBatch(between, proof, sorted.root)).toBe(true);
  });

  it('for an empty batch: no neighbours, and the root must be the empty-tree root', () => {
    const proof = nonMembershipProof([], 'anything');
    expect(proof).toEqual({ batchSize: 0 });
    expect(() => verifyNonMembership('anything', proof, EMPTY_ROOT_HEX)).not.toThrow();
    expectProofCode(() => verifyNonMembership('anything', proof, sorted.root), 'ROOT_MISMATCH', 'an empty batch has root');
    const withNeighbour = { batchSize: 0, right: sorted.inclusionProof(0) };
    expectProofCode(() => verifyNonMembership('anything', withNeighbour, EMPTY_ROOT_HEX), 'NOT_ADJACENT');
  });

  it('cannot be made for a value that is present', () => {
    expectProofCode(() => sorted.nonMembershipProof(records[2] as string), 'VALUE_PRESENT', 'the record is leaf');
  });

  describe('forged: the value is actually present', () => {
    const presentIndex = 5;
    const present = records.find((record) => leafHex(record) === sortedLeaves[presentIndex]) as string;
    const proofAt = (index: number): BatchInclusionProof => sorted.inclusionProof(index);

    const forgeries: [string, NonMembershipProof, string, string?][] = [
      ['its own leaf as the left neighbour', { batchSize: 10, left: proofAt(5), right: proofAt(6) }, 'VALUE_PRESENT', 'value is present: its leaf hash'],
      ['its own leaf as the right neighbour', { batchSize: 10, left: proofAt(4), right: proofAt(5) }, 'VALUE_PRESENT'],
      ['neighbours that skip over it', { batchSize: 10, left: proofAt(4), right: proofAt(6) }, 'NOT_ADJACENT', 'neighbours must be adjacent leaves, found leaves 4 and 6'],
      ['another value\'s proof', nonMembershipProof(records, between), 'NOT_BRACKETED', 'is above the right neighbour'],
      ['a lone right neighbour that is not leaf 0', { batchSize: 10, right: proofAt(6) }, 'NOT_ADJACENT', 'the right neighbour must be leaf 0, found leaf 6'],
      ['a lone left neighbour that is not the last leaf', { batchSize: 10, left: proofAt(4) }, 'NOT_ADJACENT', 'the left neighbour must be the last leaf 9, found leaf 4'],
      ['no neighbours at all', { batchSize: 10 }, 'NOT_ADJACENT', 'needs at least one neighbour'],
      ['a neighbour from a batch of another size', { batchSize: 10, left: { ...proofAt(4), batchSize: 11 }, right: proofAt(6) }, 'INVALID_ARGUMENT', 'left.batchSize 11 differs'],
    ];
    it.each(forgeries)('%s', (...[, proof, code, message]) => {
      expectProofCode(() => verifyNonMembership(present, proof, sorted.root), code, message);
      expect(isAbsentFromBatch(present, proof, sorted.root)).toBe(false);
    });

    it('neighbours that skip over it, with the right index relabelled to look adjacent', () => {
      const proof = { batchSize: 10, left: proofAt(4), right: { ...proofAt(6), index: 5 } };
      expectProofCode(() => verifyNonMembership(present, proof, sorted.root), 'ROOT_MISMATCH');
    });

    it('a neighbour whose leaf hash was edited to sort just below the value', () => {
      const target = BigInt(`0x${sortedLeaves[presentIndex] as string}`);
      const justBelow = (target - 1n).toString(16).padStart(64, '0');
      const proof = { batchSize: 10, left: { ...proofAt(5), leafHash: justBelow }, right: proofAt(6) };
      // Adjacency and order now look right; only the inclusion check can catch it.
      expectProofCode(() => verifyNonMembership(present, proof, sorted.root), 'ROOT_MISMATCH');
    });
  });

  it('documents the precondition: over an UNSORTED batch a present value can pass as absent', () => {
    // Three records in leaf-hash order r0 < r1 < r2, committed in the order [r1, r0, r2].
    const [r0, r1, r2] = ['x', 'y', 'z'].sort((a, b) => (leafHex(a) < leafHex(b) ? -1 : 1)) as [string, string, string];
    const unsorted = new Batch([r1, r0, r2]);
    const proof = { batchSize: 3, left: unsorted.inclusionProof(1), right: unsorted.inclusionProof(2) };
    expect(isAbsentFromBatch(r1, proof, unsorted.root)).toBe(true); // wrong, which is why roots must be known sorted
    expect(isInBatch(r1, unsorted.inclusionProof(0), unsorted.root)).toBe(true);
  });

  it('property: for random record sets and probes, exactly one of membership and non-membership is provable', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 40 }), fc.string(), (set, probe) => {
        const batch = new SortedBatch(set);
        if (set.includes(probe)) {
          expect(isInBatch(probe, batch.inclusionProofOf(probe), batch.root)).toBe(true);
          expectProofCode(() => batch.nonMembershipProof(probe), 'VALUE_PRESENT');
        } else {
          expect(isAbsentFromBatch(probe, batch.nonMembershipProof(probe), batch.root)).toBe(true);
          expect(batch.indexOf(probe)).toBe(-1);
        }
        // A genuine proof of absence never passes for a record that is present.
        if (!set.includes(probe)) {
          const proof = batch.nonMembershipProof(probe);
          for (const record of set) expect(isAbsentFromBatch(record, proof, batch.root)).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });
});

/**
 * Merkle roots over batches of records, with proofs that a record was in a batch and, for
 * sorted batches, that a value was not.
 *
 * Every record becomes a leaf as RFC 6962 leafHash(record bytes) = SHA-256(0x00 || bytes).
 * A string record is taken as its UTF-8 bytes (a record id, say). A record that is already
 * a digest — e.g. SHA-256 of an event's canonical JSON — is passed as its bytes and gets
 * leaf-hashed like any other record; the 0x00 prefix keeps leaves distinct from interior
 * nodes. (A hex digest passed as a string is hashed as text, not decoded: pass bytes.)
 *
 * Proofs are plain objects with lowercase hex hashes so they can be stored in S3 or
 * DynamoDB and checked by a CLI without this library's tree.
 *
 * Two kinds of batch:
 * - `Batch`: leaves in the order the records are given. Proves membership only.
 * - `SortedBatch`: leaves sorted by leaf hash (unsigned byte order), no duplicates. Proves
 *   membership and non-membership.
 *
 * PRECONDITION for non-membership: a non-membership proof shows that two leaves are
 * adjacent in the committed tree and that the absent value's leaf hash falls strictly
 * between them. That implies absence only if the batch's leaves are sorted, which the root
 * alone cannot show: over an unsorted batch a present value can be "proved" absent. Only
 * accept non-membership proofs against roots that are known to come from a SortedBatch
 * (record that fact next to the root, e.g. in the batch's signed metadata), or check the
 * sort yourself when you hold all the records.
 */
import { ProofError } from './errors';
import { EMPTY_ROOT_HEX, HASH_SIZE, compareHashes, hashEquals, leafHash } from './hashing';
import { fromHex, toHex } from './hex';
import { MerkleTree } from './merkle-tree';
import { holds, verifyInclusion } from './verify';

/** A record in a batch: its bytes, or a string standing for its UTF-8 bytes. */
export type BatchRecord = Uint8Array | string;

/** Proof that the leaf `leafHash` is leaf `index` of a batch of `batchSize` leaves. */
export interface BatchInclusionProof {
  index: number;
  batchSize: number;
  /** Lowercase hex leaf hash, SHA-256(0x00 || record bytes). */
  leafHash: string;
  /** Lowercase hex RFC 6962 audit path, from the leaf's sibling upwards. */
  path: string[];
}

/**
 * Proof that a value is not in a sorted batch: inclusion proofs of the two adjacent leaves
 * whose hashes bracket the value's leaf hash. At the edges one side is missing: only
 * `right` (leaf 0) when the value sorts before every leaf, only `left` (the last leaf)
 * when it sorts after. Both are missing for an empty batch.
 */
export interface NonMembershipProof {
  batchSize: number;
  /** The largest leaf below the value. */
  left?: BatchInclusionProof;
  /** The smallest leaf above the value. */
  right?: BatchInclusionProof;
}

/** The leaf hash of a record, SHA-256(0x00 || bytes). */
export function recordLeafHash(record: BatchRecord): Uint8Array {
  if (typeof record === 'string') return leafHash(new Uint8Array(Buffer.from(record, 'utf8')));
  if (record instanceof Uint8Array) return leafHash(record);
  throw new ProofError('INVALID_ARGUMENT', `a batch record must be a Uint8Array or a string, found ${record === null ? 'null' : typeof record}`);
}

/** What both kinds of batch share: a Merkle tree over their leaf hashes. */
export abstract class MerkleBatch {
  protected readonly tree: MerkleTree;

  protected constructor(leafHashes: readonly Uint8Array[]) {
    this.tree = new MerkleTree(leafHashes);
  }

  /** Number of leaves. */
  get size(): number {
    return this.tree.size;
  }

  /** Lowercase hex Merkle root; the empty-tree root for an empty batch. */
  get root(): string {
    return toHex(this.tree.root());
  }

  /** Lowercase hex leaf hash at `index`. Requires 0 <= index < size. */
  leafHash(index: number): string {
    return toHex(this.tree.leafHash(index));
  }

  /** Proof that leaf `index` is in the batch. Requires 0 <= index < size. */
  inclusionProof(index: number): BatchInclusionProof {
    // The path first: it reports an empty batch or a bad index in terms of the batch size.
    const path = this.tree.inclusionProof(index).map(toHex);
    return { index, batchSize: this.size, leafHash: toHex(this.tree.leafHash(index)), path };
  }
}

/** A batch whose leaves keep the order of the records. */
export class Batch extends MerkleBatch {
  constructor(records: readonly BatchRecord[]) {
    super(records.map(recordLeafHash));
  }
}

/**
 * A batch whose leaves are sorted by leaf hash in unsigned byte order, so that absence
 * can be proved. Records may be given in any order; two records with the same bytes are
 * refused (DUPLICATE_LEAF), since a sorted batch is a set.
 */
export class SortedBatch extends MerkleBatch {
  /** Lowercase hex leaf hashes in sorted order, for binary search. */
  private readonly sortedHex: string[];

  constructor(records: readonly BatchRecord[]) {
    const leaves = records.map(recordLeafHash).sort(compareHashes);
    for (let i = 1; i < leaves.length; i++) {
      if (hashEquals(leaves[i - 1] as Uint8Array, leaves[i] as Uint8Array)) {
        throw new ProofError('DUPLICATE_LEAF', `two records have leaf hash ${toHex(leaves[i] as Uint8Array)}; a sorted batch holds each record once`);
      }
    }
    super(leaves);
    this.sortedHex = leaves.map(toHex);
  }

  /** Index of the record's leaf, or -1 if the record is not in the batch. */
  indexOf(record: BatchRecord): number {
    const target = toHex(recordLeafHash(record));
    const at = this.lowerBound(target);
    return this.sortedHex[at] === target ? at : -1;
  }

  /** Proof that `record` is in the batch. Throws a ProofError (LEAF_MISMATCH) if it is not. */
  inclusionProofOf(record: BatchRecord): BatchInclusionProof {
    const index = this.indexOf(record);
    if (index < 0) {
      throw new ProofError('LEAF_MISMATCH', `record with leaf hash ${toHex(recordLeafHash(record))} is not in this batch of ${this.size}`);
    }
    return this.inclusionProof(index);
  }

  /**
   * Proof that `record` is not in the batch. Throws a ProofError (VALUE_PRESENT) if it is.
   */
  nonMembershipProof(record: BatchRecord): NonMembershipProof {
    const target = toHex(recordLeafHash(record));
    const at = this.lowerBound(target); // first leaf >= target
    if (this.sortedHex[at] === target) {
      throw new ProofError('VALUE_PRESENT', `cannot prove absence: the record is leaf ${at} of this batch (leaf hash ${target})`);
    }
    const proof: NonMembershipProof = { batchSize: this.size };
    if (at > 0) proof.left = this.inclusionProof(at - 1);
    if (at < this.size) proof.right = this.inclusionProof(at);
    return proof;
  }

  /** First position whose leaf hash is >= target (lowercase hex sorts like the bytes). */
  private lowerBound(target: string): number {
    let lo = 0;
    let hi = this.sortedHex.length;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((this.sortedHex[mid] as string) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Merkle root (lowercase hex) of the records in the order given. */
export function batchRoot(records: readonly BatchRecord[]): string {
  return new Batch(records).root;
}

/** Proof that record `index` is in the batch of `records` (in the order given). Requires 0 <= index < records.length. */
export function batchInclusionProof(records: readonly BatchRecord[], index: number): BatchInclusionProof {
  return new Batch(records).inclusionProof(index);
}

/** Merkle root (lowercase hex) of the records sorted by leaf hash. Refuses duplicates. */
export function sortedBatchRoot(records: readonly BatchRecord[]): string {
  return new SortedBatch(records).root;
}

/** Proof that `absent` is not among `records`, in the sorted batch of those records. */
export function nonMembershipProof(records: readonly BatchRecord[], absent: BatchRecord): NonMembershipProof {
  return new SortedBatch(records).nonMembershipProof(absent);
}

/**
 * Checks that `record` is in the batch with Merkle root `root` (lowercase hex), at the
 * position the proof states. Works for both ordered and sorted batches. Throws a
 * ProofError: LEAF_MISMATCH if the record is not the proof's leaf, INVALID_HEX for
 * malformed hex, or any verifyInclusion code.
 */
export function verifyBatchInclusion(record: BatchRecord, proof: BatchInclusionProof, root: string): void {
  const recordLeaf = toHex(recordLeafHash(record));
  checkProofObject(proof, 'proof');
  if (proof.leafHash !== recordLeaf) {
    throw new ProofError('LEAF_MISMATCH', `record has leaf hash ${recordLeaf}, but the proof is for leaf ${String(proof.leafHash)}`);
  }
  checkLeafInRoot(proof, root, 'proof');
}

/**
 * Checks that `absent` is not in the sorted batch with Merkle root `root` (lowercase hex).
 * See the module PRECONDITION: only meaningful if `root` is known to be a SortedBatch root.
 *
 * Checks, in order: the neighbours are adjacent leaves (or the first/last leaf at the
 * edges) of a batch of `batchSize` (NOT_ADJACENT); the value's leaf hash is strictly
 * between their leaf hashes (VALUE_PRESENT if it equals one, NOT_BRACKETED otherwise);
 * each neighbour's inclusion proof holds against `root` (verifyInclusion codes). For an
 * empty batch, `root` must be the empty-tree root (ROOT_MISMATCH).
 */
export function verifyNonMembership(absent: BatchRecord, proof: NonMembershipProof, root: string): void {
  const target = toHex(recordLeafHash(absent));
  const rootBytes = fromHex(root, 'root', HASH_SIZE);
  const { batchSize, left, right } = proof;
  if (!Number.isSafeInteger(batchSize) || batchSize < 0) {
    throw new ProofError('INVALID_ARGUMENT', `batchSize must be a non-negative safe integer, found ${String(batchSize)}`);
  }
  if (batchSize === 0) {
    if (left !== undefined || right !== undefined) {
      throw new ProofError('NOT_ADJACENT', 'an empty batch has no leaves, but the proof names a neighbour');
    }
    if (toHex(rootBytes) !== EMPTY_ROOT_HEX) {
      throw new ProofError('ROOT_MISMATCH', `root mismatch: an empty batch has root ${EMPTY_ROOT_HEX}, found ${root}`);
    }
    return;
  }
  if (left !== undefined) checkNeighbour(left, 'left', batchSize);
  if (right !== undefined) checkNeighbour(right, 'right', batchSize);

  if (left === undefined && right === undefined) {
    throw new ProofError('NOT_ADJACENT', `a batch of ${batchSize} needs at least one neighbour in a non-membership proof, found none`);
  } else if (left === undefined) {
    if (right?.index !== 0) {
      throw new ProofError('NOT_ADJACENT', `with no left neighbour the right neighbour must be leaf 0, found leaf ${String(right?.index)}`);
    }
  } else if (right === undefined) {
    if (left.index !== batchSize - 1) {
      throw new ProofError('NOT_ADJACENT', `with no right neighbour the left neighbour must be the last leaf ${batchSize - 1}, found leaf ${left.index}`);
    }
  } else if (right.index !== left.index + 1) {
    throw new ProofError('NOT_ADJACENT', `neighbours must be adjacent leaves, found leaves ${left.index} and ${right.index}`);
  }

  // Lowercase hex of equal length compares like the bytes it encodes.
  if (left !== undefined) {
    if (left.leafHash === target) throw present(left.index, target);
    if (left.leafHash > target) {
      throw new ProofError('NOT_BRACKETED', `value leaf hash ${target} is below the left neighbour's ${left.leafHash}, want it above`);
    }
  }
  if (right !== undefined) {
    if (right.leafHash === target) throw present(right.index, target);
    if (right.leafHash < target) {
      throw new ProofError('NOT_BRACKETED', `value leaf hash ${target} is above the right neighbour's ${right.leafHash}, want it below`);
    }
  }

  if (left !== undefined) checkLeafInRoot(left, root, 'left');
  if (right !== undefined) checkLeafInRoot(right, root, 'right');
}

/** `verifyBatchInclusion` as a boolean. Rethrows anything that is not a ProofError. */
export function isInBatch(record: BatchRecord, proof: BatchInclusionProof, root: string): boolean {
  return holds(() => verifyBatchInclusion(record, proof, root));
}

/** `verifyNonMembership` as a boolean. Rethrows anything that is not a ProofError. */
export function isAbsentFromBatch(absent: BatchRecord, proof: NonMembershipProof, root: string): boolean {
  return holds(() => verifyNonMembership(absent, proof, root));
}

function present(index: number, target: string): ProofError {
  return new ProofError('VALUE_PRESENT', `value is present: its leaf hash ${target} is leaf ${index} of the batch`);
}

function checkNeighbour(neighbour: BatchInclusionProof, which: string, batchSize: number): void {
  checkProofObject(neighbour, which);
  if (neighbour.batchSize !== batchSize) {
    throw new ProofError('INVALID_ARGUMENT', `${which}.batchSize ${neighbour.batchSize} differs from the proof's batchSize ${batchSize}`);
  }
}

/** Shape checks for proofs that arrive as parsed JSON. */
function checkProofObject(proof: BatchInclusionProof, what: string): void {
  if (typeof proof !== 'object' || proof === null) {
    throw new ProofError('INVALID_ARGUMENT', `${what} must be an object, found ${proof === null ? 'null' : typeof proof}`);
  }
  fromHex(proof.leafHash, `${what}.leafHash`, HASH_SIZE);
  if (!Array.isArray(proof.path)) {
    throw new ProofError('INVALID_ARGUMENT', `${what}.path must be an array of hex hashes, found ${typeof proof.path}`);
  }
}

function checkLeafInRoot(proof: BatchInclusionProof, root: string, what: string): void {
  const path = proof.path.map((hash, i) => fromHex(hash, `${what}.path[${i}]`, HASH_SIZE));
  verifyInclusion(fromHex(proof.leafHash, `${what}.leafHash`, HASH_SIZE), proof.index, proof.batchSize, path, fromHex(root, 'root', HASH_SIZE));
}

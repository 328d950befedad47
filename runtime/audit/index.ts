/**
 * Verifiable audit log primitives: RFC 6962/9162 Merkle trees and proofs, RFC 8785
 * canonical JSON, and batch membership/non-membership proofs.
 *
 * Node-only (uses node:crypto): for workers, Lambdas and the CLI. Never import this from
 * Temporal workflow code.
 */
export { ProofError, CanonicalJsonError } from './errors';
export type { ProofErrorCode, CanonicalJsonErrorCode } from './errors';
export { HASH_SIZE, EMPTY_ROOT_HEX, emptyRoot, leafHash, nodeHash, hashEquals, compareHashes } from './hashing';
export { toHex, fromHex } from './hex';
export { MerkleTree, rootOf, prefixRoots, inclusionProof, consistencyProof } from './merkle-tree';
export { CompactTree } from './compact-tree';
export type { CompactTreeState } from './compact-tree';
export {
  verifyInclusion,
  verifyConsistency,
  isValidInclusion,
  isValidConsistency,
  rootFromInclusionProof,
  inclusionProofSize,
  consistencyProofSize,
} from './verify';
export { canonicalJson, canonicalBytes } from './canonical-json';
export type { JsonValue, CanonicalJsonOptions } from './canonical-json';
export {
  Batch,
  SortedBatch,
  recordLeafHash,
  batchRoot,
  batchInclusionProof,
  sortedBatchRoot,
  nonMembershipProof,
  verifyBatchInclusion,
  verifyNonMembership,
  isInBatch,
  isAbsentFromBatch,
} from './batch';
export type { BatchRecord, BatchInclusionProof, NonMembershipProof } from './batch';

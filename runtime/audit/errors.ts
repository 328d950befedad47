/**
 * Typed errors for the audit module. Every failure carries a stable `code` that callers
 * (worker, Lambda, CLI) can switch on, and a message that states what was expected and
 * what was found, e.g. `wrong proof size 3, want 4`.
 */

/** Why a Merkle proof (or the arguments to build one) was rejected. */
export type ProofErrorCode =
  /** An index or size is not a non-negative safe integer. */
  | 'INVALID_ARGUMENT'
  /** An inclusion proof was asked for, or checked against, a tree with no leaves. */
  | 'EMPTY_TREE'
  /** The leaf index is not below the tree size. */
  | 'INDEX_OUT_OF_RANGE'
  /** A requested tree size is larger than the number of leaves available. */
  | 'SIZE_OUT_OF_RANGE'
  /** A consistency check was asked to go from a larger tree to a smaller one. */
  | 'SIZE_DECREASE'
  /** A hash (leaf hash, root, or proof element) is not 32 bytes long. */
  | 'WRONG_HASH_SIZE'
  /** The proof has the wrong number of elements for the given index and sizes. */
  | 'WRONG_PROOF_SIZE'
  /** The root recomputed from the proof differs from the expected root. */
  | 'ROOT_MISMATCH'
  /** A record does not hash to the leaf hash the proof is about. */
  | 'LEAF_MISMATCH'
  /** A hex string is malformed (odd length, not lowercase hex, wrong length). */
  | 'INVALID_HEX'
  /** Two records of a sorted batch hash to the same leaf. */
  | 'DUPLICATE_LEAF'
  /** A non-membership proof's neighbours are not adjacent leaves (or not at the batch edges). */
  | 'NOT_ADJACENT'
  /** The absent value does not sort strictly between a non-membership proof's neighbours. */
  | 'NOT_BRACKETED'
  /** The value a non-membership proof is about is one of the batch's leaves. */
  | 'VALUE_PRESENT';

/** A Merkle proof, or a request to build one, is invalid. */
export class ProofError extends Error {
  override readonly name = 'ProofError';
  readonly code: ProofErrorCode;

  constructor(code: ProofErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Why a value cannot be canonicalised as RFC 8785 JSON. */
export type CanonicalJsonErrorCode =
  /** The value (or a part of it) is not a JSON value: undefined, function, bigint, Date, Map... */
  | 'NOT_JSON'
  /** A number is NaN or infinite, which JSON cannot represent (RFC 8785 §3.2.2.3). */
  | 'NON_FINITE_NUMBER'
  /** A string or property name holds an unpaired UTF-16 surrogate (RFC 8785 §3.2.2.2). */
  | 'LONE_SURROGATE'
  /** The value refers back to one of its own ancestors. */
  | 'CYCLE';

/** A value cannot be serialised as canonical JSON; `path` names the offending part. */
export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  readonly code: CanonicalJsonErrorCode;
  /** Where in the value the problem is, e.g. `event.meta.when` or `event.items[2]`. */
  readonly path: string;

  constructor(code: CanonicalJsonErrorCode, path: string, message: string) {
    super(`${path}: ${message}`);
    this.code = code;
    this.path = path;
  }
}

/** Argument checks shared by tree building and proof verification. */
import { ProofError } from './errors';
import { HASH_SIZE } from './hashing';

/**
 * Requires `value` to be an integer in [0, 2^53). Sizes and indices are plain numbers:
 * an audit log will not reach 2^53 entries, and all arithmetic below stays exact there.
 */
export function checkCount(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProofError('INVALID_ARGUMENT', `${what} must be a non-negative safe integer, found ${String(value)}`);
  }
}

/** Requires `hash` to be a 32-byte Uint8Array. */
export function checkHash(what: string, hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array)) {
    throw new ProofError('INVALID_ARGUMENT', `${what} must be a Uint8Array, found ${describe(hash)}`);
  }
  if (hash.length !== HASH_SIZE) {
    throw new ProofError('WRONG_HASH_SIZE', `${what} is ${hash.length} bytes, want ${HASH_SIZE}`);
  }
}

/** Requires every element of a proof to be a 32-byte hash. */
export function checkProofHashes(proof: readonly Uint8Array[]): void {
  proof.forEach((hash, i) => checkHash(`proof[${i}]`, hash));
}

/** Requires `proof` to be an array (callers from plain JS or parsed JSON may pass anything). */
export function checkProofArray(proof: readonly Uint8Array[]): void {
  if (!Array.isArray(proof)) {
    throw new ProofError('INVALID_ARGUMENT', `proof must be an array of hashes, found ${describe(proof)}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value.constructor as { name?: string } | undefined)?.name ?? 'object';
  return typeof value;
}

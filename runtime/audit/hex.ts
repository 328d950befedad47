/** Lowercase hex encoding, the only text form of hashes this module reads or writes. */
import { ProofError } from './errors';

const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

/** Encodes bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Decodes lowercase hex. Uppercase is refused rather than accepted so that every hash
 * has exactly one text form (hex strings are compared as strings elsewhere).
 * `what` names the value in error messages; `byteLength`, when given, is enforced.
 * Throws a ProofError with code INVALID_HEX.
 */
export function fromHex(hex: string, what = 'hex string', byteLength?: number): Uint8Array {
  if (typeof hex !== 'string') {
    throw new ProofError('INVALID_HEX', `${what}: want a lowercase hex string, found ${typeof hex}`);
  }
  if (!LOWER_HEX.test(hex)) {
    const shown = hex.length > 80 ? `${hex.slice(0, 77)}...` : hex;
    throw new ProofError('INVALID_HEX', `${what}: want an even number of lowercase hex digits, found ${JSON.stringify(shown)}`);
  }
  if (byteLength !== undefined && hex.length !== 2 * byteLength) {
    throw new ProofError('INVALID_HEX', `${what}: wrong length ${hex.length / 2} bytes, want ${byteLength}`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

import { leafHash } from '../../../runtime/audit/hashing';
import { toHex } from '../../../runtime/audit/hex';
import { rootOf } from '../../../runtime/audit/merkle-tree';

/**
 * The RFC 6962 Merkle root of an epoch's samples in the order it used them: leaf i is
 * SHA-256(0x00 ‖ UTF-8 of the i-th sample id). Two epochs drew the same samples in the same
 * order exactly when their roots are equal, and any one sample's position can be proven against
 * the root with an inclusion proof (runtime/audit).
 */
export function sampleOrderRoot(ids: readonly string[]): string {
  return toHex(rootOf(ids.map((id) => leafHash(Buffer.from(id, 'utf8')))));
}

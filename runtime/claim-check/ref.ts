/**
 * A reference to a payload stored in S3 by the claim-check store. Plain types and a guard, with no
 * I/O, so the Lambda bridge's envelope (which workflow code imports as types) can name it.
 */
export interface ClaimCheckRef {
  bucket: string;
  key: string;
  /** Lowercase hex SHA-256 of the stored bytes. */
  sha256: string;
  sizeBytes: number;
}

/**
 * Where the store keeps payloads unless told otherwise. The stack expires this prefix and grants
 * claim-check access on it alone (infra/constructs/bucket-access.ts).
 */
export const CLAIM_CHECK_PREFIX = 'claim-checks/';

/** Type guard for a reference read from the wire. */
export function isClaimCheckRef(value: unknown): value is ClaimCheckRef {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.bucket === 'string' && typeof v.key === 'string' && typeof v.sha256 === 'string' && typeof v.sizeBytes === 'number';
}

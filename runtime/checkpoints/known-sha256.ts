/**
 * Sending bytes whose SHA-256 is already known. Left to itself the SDK hashes an in-memory body
 * twice more before sending it: for the SHA-256 checksum S3 verifies (ChecksumSHA256) and for the
 * SigV4 payload hash (x-amz-content-sha256). Both are the SHA-256 of the same bytes, so the store
 * passes the one it computed as both, and S3 still refuses bytes that do not match (BadDigest).
 */
import type { PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';

const PAYLOAD_HASH_HEADER = 'x-amz-content-sha256';

/** S3's ChecksumSHA256 value (base64) for a lowercase hex SHA-256. */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** `command`, signed with `sha256Hex` as its payload hash instead of one the SDK computes. */
export function signedWithSha256<C extends PutObjectCommand | UploadPartCommand>(command: C, sha256Hex: string): C {
  (command as PutObjectCommand).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers !== undefined) request.headers[PAYLOAD_HASH_HEADER] = sha256Hex;
      return next(args);
    },
    // Build runs after serialisation (the request exists) and before signing reads the header.
    { step: 'build', name: 'knownPayloadSha256' },
  );
  return command;
}

/**
 * The bytes a tree head signature covers, and signing/checking them.
 *
 * The signed message is the UTF-8 encoding of the RFC 8785 canonical JSON of
 *
 *   { "format": "stepless-audit-sth/v1", "logId": <string>, "rootHash": <64 lowercase hex>,
 *     "timestamp": <integer ms since epoch>, "treeSize": <integer> }
 *
 * i.e. keys in that (sorted) order, no whitespace, e.g.
 *
 *   {"format":"stepless-audit-sth/v1","logId":"text-stats-hamlet","rootHash":"5f…","timestamp":1767225600000,"treeSize":3}
 *
 * The format tag separates these signatures from anything else the key might sign; the log id
 * binds the head to one log, so a head of one log cannot be replayed as another's.
 */
import { createHash } from 'node:crypto';
import { canonicalBytes } from '../canonical-json';
import { PublicKeyRing, verifySignature, type Signer } from '../signing/signer';
import { STH_FORMAT, type SignedTreeHead } from './types';

export interface TreeHead {
  logId: string;
  treeSize: number;
  rootHash: string;
  timestamp: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The exact bytes that are signed for `head` (see the module comment). */
export function sthMessage(head: TreeHead): Uint8Array {
  if (typeof head.logId !== 'string' || head.logId === '') throw new Error('tree head: logId must be a non-empty string');
  if (!Number.isSafeInteger(head.treeSize) || head.treeSize < 0) throw new Error(`tree head: treeSize must be a non-negative integer, got ${String(head.treeSize)}`);
  if (!Number.isSafeInteger(head.timestamp) || head.timestamp < 0) throw new Error(`tree head: timestamp must be integer milliseconds, got ${String(head.timestamp)}`);
  if (typeof head.rootHash !== 'string' || !HEX64.test(head.rootHash)) throw new Error('tree head: rootHash must be 64 lowercase hex digits');
  return canonicalBytes({ format: STH_FORMAT, logId: head.logId, rootHash: head.rootHash, timestamp: head.timestamp, treeSize: head.treeSize });
}

/** Signs `head` with `signer`. */
export async function signTreeHead(signer: Signer, head: TreeHead): Promise<SignedTreeHead> {
  const signature = await signer.sign(sthMessage(head));
  return {
    logId: head.logId,
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    timestamp: head.timestamp,
    algorithm: signer.algorithm,
    keyId: await signer.keyId(),
    signature: Buffer.from(signature).toString('base64'),
  };
}

export type SthCheck = { ok: true } | { ok: false; reason: 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'MALFORMED'; message: string };

/** Checks `sth`'s signature against the trusted keys. Never throws for bad input: it says why. */
export function checkTreeHeadSignature(sth: SignedTreeHead, keys: PublicKeyRing): SthCheck {
  let message: Uint8Array;
  try {
    message = sthMessage(sth);
  } catch (err) {
    return { ok: false, reason: 'MALFORMED', message: (err as Error).message };
  }
  const key = typeof sth.keyId === 'string' ? keys.get(sth.keyId) : undefined;
  if (key === undefined) {
    return { ok: false, reason: 'UNKNOWN_KEY', message: `signed by key ${String(sth.keyId)}, which is not one of the ${keys.size} trusted key(s)` };
  }
  if (sth.algorithm !== key.algorithm) {
    return { ok: false, reason: 'BAD_SIGNATURE', message: `algorithm ${String(sth.algorithm)} does not match key ${key.keyId} (${key.algorithm})` };
  }
  const signature = typeof sth.signature === 'string' ? Buffer.from(sth.signature, 'base64') : Buffer.alloc(0);
  if (!verifySignature(key.algorithm, key.publicKeyPem, message, signature)) {
    return { ok: false, reason: 'BAD_SIGNATURE', message: `signature does not verify with key ${key.keyId} (${key.algorithm})` };
  }
  return { ok: true };
}

/** A short fingerprint of an STH's full content, for messages. */
export function sthDigest(sth: SignedTreeHead): string {
  return createHash('sha256').update(canonicalBytes(sth)).digest('hex').slice(0, 16);
}

/**
 * The audit log's data: entries, signed tree heads, and what appends and reads return.
 * Types only (no runtime code), so workflow code may import them.
 */
import type { SignatureAlgorithm } from '../signing/signer';

/** The log id of the global log that records other logs' tree heads ("checkpoints"). */
export const GLOBAL_CHECKPOINT_LOG_ID = 'global/checkpoints';

/** The version tag inside every signed message (see sth.ts for the exact bytes). */
export const STH_FORMAT = 'stepless-audit-sth/v1';

/** Leaves per page of a log read: the default, and the most one request may ask for. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/**
 * A signed tree head: the log `logId` had `treeSize` entries with Merkle root `rootHash` at
 * `timestamp`, signed by the key `keyId`. `signature` is base64 over the bytes sthMessage() gives.
 */
export interface SignedTreeHead {
  logId: string;
  treeSize: number;
  /** RFC 6962 Merkle tree hash of the first treeSize entries, lowercase hex. */
  rootHash: string;
  /** Milliseconds since the Unix epoch (UTC); never decreases along a log. */
  timestamp: number;
  algorithm: SignatureAlgorithm;
  /** Lowercase hex SHA-256 of the signing key's DER SubjectPublicKeyInfo. */
  keyId: string;
  /** Standard base64. Ed25519: 64 bytes; ECDSA P-256: DER. */
  signature: string;
}

/** One entry as stored: `leafHash` = SHA-256(0x00 || UTF-8 canonical JSON of event). */
export interface AuditEntry {
  index: number;
  leafHash: string;
  /** The event's RFC 8785 canonical JSON text, exactly the bytes that were hashed. */
  event: string;
  /** When it was appended (ISO 8601, the appender's clock); not covered by the hash. */
  appendedAt: string;
  /** The appender's idempotency key, if it gave one; not covered by the hash. */
  idempotencyKey?: string;
}

/** What AuditLog.append returns. */
export interface AppendResult {
  logId: string;
  index: number;
  leafHash: string;
  /** The tree head right after this entry (treeSize = index + 1). */
  signedTreeHead: SignedTreeHead;
  /** True if the idempotency key was already used: nothing was added, `index` is the first append's. */
  duplicate: boolean;
}

/** A log's current state, as the head item holds it. */
export interface LogHead {
  logId: string;
  treeSize: number;
  rootHash: string;
  /** CompactTree peaks (lowercase hex), enough to append without reading entries. */
  peaks: string[];
  signedTreeHead: SignedTreeHead;
}

/** What a workflow asks the `appendAuditEvent` activity to record. */
export interface AppendAuditEventRequest {
  /** The log; default the calling workflow's id. */
  logId?: string;
  /** The event: a JSON object with at least a `type`. Stored as RFC 8785 canonical JSON. */
  event: { type: string; [field: string]: unknown };
  /**
   * Values to record by hash: for each name, the activity adds `name: <SHA-256 of the value's
   * canonical JSON, hex>` to the event. Lets workflow code (which cannot hash) record digests.
   */
  digests?: Record<string, unknown>;
  /** Also record the resulting tree head in the global checkpoint log. */
  checkpoint?: boolean;
  /** Default `<workflowId>/<runId>/<activityId>`: stable across retries of one activity. */
  idempotencyKey?: string;
}

export interface AppendAuditEventResult {
  /** False when the worker has no audit log configured (AUDIT_TABLE unset): nothing was written. */
  recorded: boolean;
  logId: string;
  /** The digests the activity computed, by name (also part of the event). */
  digests: Record<string, string>;
  index?: number;
  treeSize?: number;
  rootHash?: string;
  leafHash?: string;
  /** True if this was a retry of an append that had already committed. */
  duplicate?: boolean;
  /** Where the head went in the global checkpoint log, when `checkpoint` was asked for. */
  checkpointIndex?: number;
}

/** The audit activities the worker registers. */
export interface AuditActivities {
  appendAuditEvent(request: AppendAuditEventRequest): Promise<AppendAuditEventResult>;
}

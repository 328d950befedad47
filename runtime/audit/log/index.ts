/**
 * The audit log: append-only, per-workflow Merkle logs in DynamoDB with signed tree heads
 * anchored in S3, proofs for the HTTP API, and a verifier. Node-only: never import from
 * workflow code (runtime/audit/workflow.ts is the workflow side).
 */
export { AuditLog, AppendContentionError, IdempotencyConflictError, MAX_EVENT_BYTES, checkpointEvent } from './audit-log';
export type { AuditLogOptions, AppendOptions, AppendStats } from './audit-log';
export { AnchorStore, anchorKey, KEYS_PREFIX } from './anchors';
export type { AnchorRecord, AnchorVersion } from './anchors';
export { AuditLogStore, AuditLogCorruptError } from './store';
export type { StoredSth } from './store';
export { sthMessage, signTreeHead, checkTreeHeadSignature } from './sth';
export type { TreeHead } from './sth';
export {
  readLogPage,
  inclusionProof,
  consistencyProof,
  AuditLogNotFoundError,
  AuditRequestError,
} from './reader';
export type { LogPage, InclusionProofResponse, ConsistencyProofResponse } from './reader';
export { verifyLog, verifyLogData } from './verify-log';
export type { Problem, ProblemCode, VerifyReport } from './verify-log';
export { DEFAULT_PAGE_LIMIT, GLOBAL_CHECKPOINT_LOG_ID, MAX_PAGE_LIMIT, STH_FORMAT } from './types';
export type { AppendResult, AuditEntry, LogHead, SignedTreeHead } from './types';

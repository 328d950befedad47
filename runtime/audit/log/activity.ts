/**
 * The activity that records audit events for workflows. Idempotent under Temporal's retries: the
 * idempotency key defaults to workflow id + run id + activity id, which every attempt of one
 * activity shares, and the append writes the key in the same transaction as the entry, so a retry
 * after a commit (lost reply, worker crash, failed anchor write) adds nothing and returns the
 * first append's index.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { canonicalJson } from '../canonical-json';
import { CanonicalJsonError } from '../errors';
import { signerFromEnv } from '../signing';
import { AnchorStore } from './anchors';
import { AuditLog, IdempotencyConflictError, MAX_EVENT_BYTES } from './audit-log';
import type { AppendAuditEventRequest, AppendAuditEventResult, AuditActivities } from './types';

/** Fields the activity sets itself; a workflow cannot override them. */
const CONTEXT_FIELDS = ['workflowId', 'runId', 'idempotencyKey'] as const;

/**
 * The audit log a worker uses, from its environment: AUDIT_TABLE (required to enable auditing),
 * AUDIT_ANCHOR_BUCKET (optional: anchoring in S3), and a signer (signing/index.ts). Returns
 * undefined when AUDIT_TABLE is unset.
 */
export function auditLogFromEnv(env: NodeJS.ProcessEnv = process.env, clients: { s3?: S3Client; dynamo?: DynamoDBClient; kms?: KMSClient } = {}): AuditLog | undefined {
  const table = env.AUDIT_TABLE;
  if (!table) return undefined;
  const signer = signerFromEnv(env, () => clients.kms ?? new KMSClient({}));
  const bucket = env.AUDIT_ANCHOR_BUCKET;
  return new AuditLog({
    dynamo: clients.dynamo ?? new DynamoDBClient({}),
    table,
    signer,
    ...(bucket ? { anchors: new AnchorStore(clients.s3 ?? new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' }), bucket) } : {}),
  });
}

/** SHA-256 of the value's RFC 8785 canonical JSON, lowercase hex. */
export function digestOf(value: unknown, name: string): string {
  return createHash('sha256').update(canonicalJson(value, { rootName: `digests.${name}` }), 'utf8').digest('hex');
}

export function createAuditActivities(log: AuditLog | undefined): AuditActivities {
  return {
    async appendAuditEvent(request: AppendAuditEventRequest): Promise<AppendAuditEventResult> {
      const info = Context.current().info;
      const execution = info.workflowExecution;
      if (execution === undefined) throw ApplicationFailure.nonRetryable('appendAuditEvent runs only as a workflow activity', 'InvalidInvocation');
      const logId = request.logId ?? execution.workflowId;
      let digests: Record<string, string>;
      let event: Record<string, unknown>;
      const idempotencyKey = request.idempotencyKey ?? `${execution.workflowId}/${execution.runId}/${info.activityId}`;
      try {
        if (request.event === null || typeof request.event !== 'object' || typeof request.event.type !== 'string') {
          throw ApplicationFailure.nonRetryable('event must be an object with a string `type`', 'InvalidAuditEvent');
        }
        digests = Object.fromEntries(Object.entries(request.digests ?? {}).map(([name, value]) => [name, digestOf(value, name)]));
        event = { ...request.event, ...digests, workflowId: execution.workflowId, runId: execution.runId, idempotencyKey };
        for (const field of CONTEXT_FIELDS) {
          if (field in request.event && request.event[field] !== event[field]) {
            throw ApplicationFailure.nonRetryable(`event.${field} is set by the activity; do not pass it`, 'InvalidAuditEvent');
          }
        }
        // Validate before writing anything: a non-JSON event must fail the same way every attempt.
        const size = Buffer.byteLength(canonicalJson(event, { rootName: 'event' }));
        if (size > MAX_EVENT_BYTES) throw ApplicationFailure.nonRetryable(`event is ${size} bytes, over ${MAX_EVENT_BYTES}: record digests of large data`, 'InvalidAuditEvent');
      } catch (err) {
        if (err instanceof CanonicalJsonError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidAuditEvent');
        throw err;
      }
      if (log === undefined) return { recorded: false, logId, digests };
      try {
        const result = await log.append(logId, event, { idempotencyKey });
        const checkpoint = request.checkpoint ? await log.checkpoint(result.signedTreeHead) : undefined;
        Context.current().log.info('audit event recorded', { logId, type: request.event.type, index: result.index, duplicate: result.duplicate });
        return {
          recorded: true,
          logId,
          digests,
          index: result.index,
          treeSize: result.signedTreeHead.treeSize,
          rootHash: result.signedTreeHead.rootHash,
          leafHash: result.leafHash,
          duplicate: result.duplicate,
          ...(checkpoint ? { checkpointIndex: checkpoint.index } : {}),
        };
      } catch (err) {
        if (err instanceof IdempotencyConflictError) throw ApplicationFailure.nonRetryable(err.message, 'IdempotencyConflict');
        throw err;
      }
    },
  };
}

/**
 * The workflow side of the audit log: record events from workflow code through the
 * `appendAuditEvent` activity (the worker registers it; see runtime/audit/log/activity.ts).
 *
 *   const audit = auditLog();
 *   const started = await audit.record('workflow.started', { jobId }, { digests: { inputSha256: input } });
 *
 * Workflow code cannot hash (no Node crypto in the sandbox), so values to record by digest are
 * passed as `digests` and hashed by the activity; the digests come back in the result. Each event
 * gets `at` (workflow time, deterministic on replay) unless it has one.
 */
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { AppendAuditEventRequest, AppendAuditEventResult, AuditActivities } from './log/types';

export type { AppendAuditEventResult } from './log/types';

export interface AuditRecordOptions {
  digests?: AppendAuditEventRequest['digests'];
  checkpoint?: boolean;
  /** Another log than the workflow's own. */
  logId?: string;
}

export interface WorkflowAuditLog {
  record(type: string, fields?: Record<string, unknown>, options?: AuditRecordOptions): Promise<AppendAuditEventResult>;
}

export function auditLog(options: ActivityOptions = {}): WorkflowAuditLog {
  const { appendAuditEvent } = proxyActivities<AuditActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes: ['InvalidAuditEvent', 'IdempotencyConflict'] },
    ...options,
  });
  return {
    record(type, fields = {}, opts = {}) {
      return appendAuditEvent({
        logId: opts.logId ?? workflowInfo().workflowId,
        event: { type, at: new Date().toISOString(), ...fields },
        ...(opts.digests ? { digests: opts.digests } : {}),
        ...(opts.checkpoint ? { checkpoint: true } : {}),
      });
    },
  };
}

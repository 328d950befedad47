import type { FailureSummary } from '../failure-summary';
import { FAILURE_STATUSES, STATUS_EVENT_VERSION, type WorkflowStatus } from './names';

/**
 * One workflow status change: the `detail` of an EventBridge event (schema:
 * docs/schemas/workflow-status-change.schema.json; docs/events-out.md).
 */
export interface WorkflowStatusChange {
  /** `<workflowId>/<runId>/<status>`: the same for every delivery of this change, so consumers can deduplicate. */
  id: string;
  version: typeof STATUS_EVENT_VERSION;
  status: WorkflowStatus;
  /** When the change happened on the Temporal server: the run's start time for STARTED, its close time otherwise. */
  time: string;
  workflowType: string;
  workflowId: string;
  runId: string;
  namespace: string;
  taskQueue: string;
  startTime: string;
  closeTime: string | null;
  /** Why the run did not succeed (FAILED, TIMED_OUT, CANCELLED, TERMINATED); null otherwise. */
  failure: FailureSummary | null;
  /** The run in the Temporal Web UI; null when the publisher was not told where the UI is. */
  temporalUiUrl: string | null;
}

/** What the publisher reads of a visibility record (a subset of the client's WorkflowExecutionInfo). */
export interface ExecutionRecord {
  type: string;
  workflowId: string;
  runId: string;
  taskQueue: string;
  status: { name: string };
  startTime: Date;
  closeTime?: Date;
}

/** Temporal's close statuses, named as the events name them. */
const CLOSE_STATUS: Readonly<Record<string, WorkflowStatus>> = {
  COMPLETED: 'SUCCEEDED',
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  CANCELLED: 'CANCELLED',
  TERMINATED: 'TERMINATED',
  CONTINUED_AS_NEW: 'CONTINUED_AS_NEW',
};

/** A change the publisher found in visibility, before its failure (if any) is read. */
export interface FoundChange {
  execution: ExecutionRecord;
  status: WorkflowStatus;
  /** Milliseconds since the epoch, server time: what the cursor orders by. */
  timeMs: number;
}

/** The stable id of a change; a workflow id may contain '/', a run id and a status cannot, so it parses from the right. */
export function statusChangeId(workflowId: string, runId: string, status: WorkflowStatus): string {
  return `${workflowId}/${runId}/${status}`;
}

/**
 * The changes a visibility record shows: its start, and its close once closed. A record in a
 * status Temporal may add later (PAUSED, UNKNOWN) shows only its start.
 */
export function changesOf(execution: ExecutionRecord): FoundChange[] {
  const changes: FoundChange[] = [{ execution, status: 'STARTED', timeMs: execution.startTime.getTime() }];
  const closed = CLOSE_STATUS[execution.status.name];
  if (closed !== undefined && execution.closeTime !== undefined) changes.push({ execution, status: closed, timeMs: execution.closeTime.getTime() });
  return changes;
}

/** Whether the publisher reads the run's close event for a failure summary. */
export function needsFailure(status: WorkflowStatus): boolean {
  return FAILURE_STATUSES.includes(status);
}

/** Longest failure message an event carries: EventBridge takes at most 256 KiB per entry. */
export const MAX_FAILURE_MESSAGE_CHARS = 8192;

/** The run's page in the Temporal Web UI (the UI's own URL scheme). */
export function temporalUiLink(uiBaseUrl: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiBaseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/** The event for one change. */
export function statusChangeEvent(change: FoundChange, context: { namespace: string; uiBaseUrl?: string; failure?: FailureSummary }): WorkflowStatusChange {
  const { execution, status } = change;
  const failure = context.failure && needsFailure(status)
    ? { type: context.failure.type, message: truncate(context.failure.message, MAX_FAILURE_MESSAGE_CHARS) }
    : null;
  return {
    id: statusChangeId(execution.workflowId, execution.runId, status),
    version: STATUS_EVENT_VERSION,
    status,
    time: new Date(change.timeMs).toISOString(),
    workflowType: execution.type,
    workflowId: execution.workflowId,
    runId: execution.runId,
    namespace: context.namespace,
    taskQueue: execution.taskQueue,
    startTime: execution.startTime.toISOString(),
    closeTime: status === 'STARTED' || execution.closeTime === undefined ? null : execution.closeTime.toISOString(),
    failure,
    temporalUiUrl: context.uiBaseUrl ? temporalUiLink(context.uiBaseUrl, context.namespace, execution.workflowId, execution.runId) : null,
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

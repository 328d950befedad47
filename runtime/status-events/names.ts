/**
 * The names a workflow status change event is known by, shared by the publisher (the worker), the
 * stack (its rules match on them) and the tests. Plain constants, so the CDK app loads no client.
 */

/** EventBridge `source` of every status change event. */
export const STATUS_EVENT_SOURCE = 'stepless';
/** EventBridge `detail-type`, after Step Functions' "Step Functions Execution Status Change". */
export const STATUS_EVENT_DETAIL_TYPE = 'Workflow Execution Status Change';
/** `detail.version`: raised only by a change a consumer could trip on (docs/events-out.md). */
export const STATUS_EVENT_VERSION = '1';

/** Every status an event reports: the run began, or how it ended. */
export const WORKFLOW_STATUSES = ['STARTED', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];
/** The statuses a failure is reported with (a run that did not succeed and did not hand over to a new run). */
export const FAILURE_STATUSES: readonly WorkflowStatus[] = ['FAILED', 'TIMED_OUT', 'CANCELLED', 'TERMINATED'];

/** The worker's environment: the bus to put events on and the table holding the publisher's lease and cursor. */
export const STATUS_EVENT_BUS_ENV = 'STATUS_EVENT_BUS';
export const STATUS_EVENTS_TABLE_ENV = 'STATUS_EVENTS_TABLE';
/** The Temporal Web UI's base URL, for each event's link (e.g. http://localhost:8233, https://cloud.temporal.io). */
export const TEMPORAL_UI_URL_ENV = 'TEMPORAL_UI_URL';

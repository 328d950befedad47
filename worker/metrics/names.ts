/**
 * The worker's CloudWatch metrics: what the worker publishes (worker/metrics/) and what the CDK
 * stack reads for its dashboard, alarms and autoscaling (infra/). One list, so the two cannot drift.
 *
 * Every metric carries the dimension `TaskQueue`: the stack scales and alarms per task queue. The
 * workflow metrics are published a second time with `TaskQueue` and `WorkflowType`, as Step Functions
 * publishes its execution metrics per state machine: per type, they cost $0.30 a month each (eight
 * metrics per workflow type the worker has run).
 */
export const METRICS_NAMESPACE = 'Stepless';

export const TASK_QUEUE_DIMENSION = 'TaskQueue';

/** The second dimension of the per-type workflow series: the workflow type's name. */
export const WORKFLOW_TYPE_DIMENSION = 'WorkflowType';

export const WorkerMetrics = {
  /** Count: workflow executions this worker began (first activation, never on replay). */
  workflowStarted: 'WorkflowStarted',
  /** Count: workflow executions that returned a result. */
  workflowCompleted: 'WorkflowCompleted',
  /**
   * Count: workflow executions that failed (a failure left the workflow function). A plain Error
   * fails the workflow task instead, which is retried, and is not counted (workflows/lib/metrics-interceptor.ts).
   */
  workflowFailed: 'WorkflowFailed',
  /** Count: workflow executions that ended cancelled, on a cancellation request; not failures. */
  workflowCanceled: 'WorkflowCanceled',
  /** Count: runs that continued as new: neither completed nor failed; the next run counts as started. */
  workflowContinuedAsNew: 'WorkflowContinuedAsNew',
  /** Count: executions the server closed as timed out (execution or run timeout); read from visibility (worker/metrics/closed-by-server.ts). */
  workflowTimedOut: 'WorkflowTimedOut',
  /** Count: executions terminated (an operator's abort); read from visibility like WorkflowTimedOut. */
  workflowTerminated: 'WorkflowTerminated',
  /** Milliseconds: an execution's start (of its first run) to its close, for every closing outcome; percentiles available. */
  workflowDuration: 'WorkflowDuration',
  /** Milliseconds: one activity attempt, start to finish, as the worker ran it. */
  activityLatency: 'ActivityLatency',
  /** Count: activity attempts that threw. */
  activityFailed: 'ActivityFailed',
  /** Count: tasks waiting in the task queue (workflow + activity), from DescribeTaskQueue. */
  taskQueueBacklog: 'TaskQueueBacklog',
  /** Count: backlog divided by the workers polling the queue; the autoscaling target. */
  backlogPerWorker: 'BacklogPerWorker',
} as const;

export type WorkerMetricName = (typeof WorkerMetrics)[keyof typeof WorkerMetrics];

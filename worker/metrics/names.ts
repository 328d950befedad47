/**
 * The worker's CloudWatch metrics: what the worker publishes (worker/metrics/) and what the CDK
 * stack reads for its dashboard, alarms and autoscaling (infra/). One list, so the two cannot drift.
 *
 * Every metric carries one dimension, `TaskQueue`: the stack scales and alarms per task queue, and
 * per-workflow-type series would multiply CloudWatch's bill for little operational gain.
 */
export const METRICS_NAMESPACE = 'Stepless';

export const TASK_QUEUE_DIMENSION = 'TaskQueue';

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

import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { WorkflowOutcome } from '../../workflows/lib/metrics-interceptor';
import { WorkerMetrics } from './names';

/** What the worker's interceptors and sinks report (worker/metrics/instrumentation.ts). */
export interface WorkerMetricsRecorder {
  workflowStarted(): void;
  workflowClosed(outcome: WorkflowOutcome): void;
  /** One activity attempt, as the worker ran it; `failed`: the attempt threw. */
  activityAttempt(durationMs: number, failed: boolean): void;
}

/** The task-queue backlog sampled at a flush (worker/metrics/backlog.ts). */
export interface BacklogSample {
  /** Workflow and activity tasks waiting in the queue. */
  backlog: number;
  /** Distinct worker identities polling the queue. */
  pollers: number;
}

const OUTCOME_METRIC = {
  completed: WorkerMetrics.workflowCompleted,
  failed: WorkerMetrics.workflowFailed,
  canceled: WorkerMetrics.workflowCanceled,
  continuedAsNew: WorkerMetrics.workflowContinuedAsNew,
} as const satisfies Record<WorkflowOutcome, string>;

/** Published every window, zero included, so a dashboard shows 0 rather than a gap while the worker lives. */
const COUNTERS = [
  WorkerMetrics.workflowStarted,
  WorkerMetrics.workflowCompleted,
  WorkerMetrics.workflowFailed,
  WorkerMetrics.workflowCanceled,
  WorkerMetrics.workflowContinuedAsNew,
  WorkerMetrics.activityFailed,
] as const;
type Counter = (typeof COUNTERS)[number];

interface Latency {
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * One flush window of the worker's metrics, aggregated in memory: counters as sums, activity
 * latency as a statistic set. `drain` turns the window into CloudWatch data points and starts a
 * new one, so each window is published (or lost, if its PutMetricData fails) exactly once.
 */
export class MetricsWindow implements WorkerMetricsRecorder {
  private counts = new Map<Counter, number>();
  private latency: Latency | undefined;

  workflowStarted(): void {
    this.count(WorkerMetrics.workflowStarted);
  }

  workflowClosed(outcome: WorkflowOutcome): void {
    this.count(OUTCOME_METRIC[outcome]);
  }

  activityAttempt(durationMs: number, failed: boolean): void {
    const l = this.latency;
    this.latency = l
      ? { sampleCount: l.sampleCount + 1, sum: l.sum + durationMs, min: Math.min(l.min, durationMs), max: Math.max(l.max, durationMs) }
      : { sampleCount: 1, sum: durationMs, min: durationMs, max: durationMs };
    if (failed) this.count(WorkerMetrics.activityFailed);
  }

  /**
   * The window's data points, stamped `timestamp` and carrying `dimensions`, plus the backlog if
   * it was sampled; the window starts over empty. ActivityLatency is left out of a window with no
   * attempts (CloudWatch has no statistic set of zero samples).
   */
  drain(timestamp: Date, dimensions: MetricDatum['Dimensions'], backlog?: BacklogSample): MetricDatum[] {
    const counts = this.counts;
    const latency = this.latency;
    this.counts = new Map();
    this.latency = undefined;

    const data: MetricDatum[] = COUNTERS.map((name) => ({ MetricName: name, Dimensions: dimensions, Timestamp: timestamp, Unit: 'Count', Value: counts.get(name) ?? 0 }));
    if (latency) {
      data.push({
        MetricName: WorkerMetrics.activityLatency,
        Dimensions: dimensions,
        Timestamp: timestamp,
        Unit: 'Milliseconds',
        StatisticValues: { SampleCount: latency.sampleCount, Sum: latency.sum, Minimum: latency.min, Maximum: latency.max },
      });
    }
    if (backlog) {
      data.push(
        { MetricName: WorkerMetrics.taskQueueBacklog, Dimensions: dimensions, Timestamp: timestamp, Unit: 'Count', Value: backlog.backlog },
        { MetricName: WorkerMetrics.backlogPerWorker, Dimensions: dimensions, Timestamp: timestamp, Unit: 'Count', Value: backlog.backlog / Math.max(1, backlog.pollers) },
      );
    }
    return data;
  }

  private count(name: Counter): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}

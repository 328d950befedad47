import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { WorkflowOutcome } from '../../workflows/lib/metrics-interceptor';
import { WORKFLOW_TYPE_DIMENSION, WorkerMetrics } from './names';

/** How a run closed: what the worker sees (workflows/lib/metrics-interceptor.ts), and what only the server sees. */
export type ClosedOutcome = WorkflowOutcome | 'timedOut' | 'terminated';

/** What the worker's interceptors and sinks report (worker/metrics/instrumentation.ts). */
export interface WorkerMetricsRecorder {
  workflowStarted(workflowType: string): void;
  /** `durationMs`: from the execution's start to this close; not recorded for continue-as-new, where the execution goes on. */
  workflowClosed(workflowType: string, outcome: ClosedOutcome, durationMs: number): void;
  /** One activity attempt, as the worker ran it; `failed`: the attempt threw. */
  activityAttempt(durationMs: number, failed: boolean): void;
}

/** The task-queue backlog sampled at a flush (worker/metrics/backlog.ts). */
export interface BacklogSample {
  /** Workflow and activity tasks waiting in the queue. */
  backlog: number;
  /** Distinct worker identities polling the queue. */
  pollers: number;
  /** Those identities (worker/metrics/closed-by-server.ts picks the one worker that reads server-closed runs). */
  identities?: readonly string[];
}

const OUTCOME_METRIC = {
  completed: WorkerMetrics.workflowCompleted,
  failed: WorkerMetrics.workflowFailed,
  canceled: WorkerMetrics.workflowCanceled,
  continuedAsNew: WorkerMetrics.workflowContinuedAsNew,
  timedOut: WorkerMetrics.workflowTimedOut,
  terminated: WorkerMetrics.workflowTerminated,
} as const satisfies Record<ClosedOutcome, string>;

/** The workflow counters, published per task queue and per workflow type. */
const WORKFLOW_COUNTERS = [
  WorkerMetrics.workflowStarted,
  WorkerMetrics.workflowCompleted,
  WorkerMetrics.workflowFailed,
  WorkerMetrics.workflowCanceled,
  WorkerMetrics.workflowContinuedAsNew,
  WorkerMetrics.workflowTimedOut,
  WorkerMetrics.workflowTerminated,
] as const;
/** Published every window, zero included, so a dashboard shows 0 rather than a gap while the worker lives (and an alarm can tell silence from calm). */
const COUNTERS = [...WORKFLOW_COUNTERS, WorkerMetrics.activityFailed] as const;
type Counter = (typeof COUNTERS)[number];
type WorkflowCounter = (typeof WORKFLOW_COUNTERS)[number];

/** PutMetricData takes at most 150 distinct values in one datum's Values/Counts. */
const MAX_VALUES_PER_DATUM = 150;

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
  /** Per workflow type: its counters and its durations (ms → how many) in this window. */
  private byType = new Map<string, { counts: Map<WorkflowCounter, number>; durations: Map<number, number> }>();
  /** Every type this worker has recorded: their series keep getting zeros, so silence stays visible per type. */
  private readonly typesSeen = new Set<string>();

  workflowStarted(workflowType: string): void {
    this.count(WorkerMetrics.workflowStarted);
    this.countType(workflowType, WorkerMetrics.workflowStarted);
  }

  workflowClosed(workflowType: string, outcome: ClosedOutcome, durationMs: number): void {
    const metric = OUTCOME_METRIC[outcome];
    this.count(metric);
    this.countType(workflowType, metric);
    if (outcome === 'continuedAsNew') return;
    const durations = this.typeWindow(workflowType).durations;
    const ms = Math.max(0, Math.round(durationMs));
    durations.set(ms, (durations.get(ms) ?? 0) + 1);
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
    const byType = this.byType;
    this.counts = new Map();
    this.latency = undefined;
    this.byType = new Map();

    const data: MetricDatum[] = COUNTERS.map((name) => ({ MetricName: name, Dimensions: dimensions, Timestamp: timestamp, Unit: 'Count', Value: counts.get(name) ?? 0 }));
    const allDurations = new Map<number, number>();
    for (const type of [...this.typesSeen].sort()) {
      const window = byType.get(type);
      const typeDimensions = [...(dimensions ?? []), { Name: WORKFLOW_TYPE_DIMENSION, Value: type }];
      data.push(...WORKFLOW_COUNTERS.map((name) => ({ MetricName: name, Dimensions: typeDimensions, Timestamp: timestamp, Unit: 'Count' as const, Value: window?.counts.get(name) ?? 0 })));
      if (window && window.durations.size > 0) {
        data.push(...durationData(window.durations, typeDimensions, timestamp));
        for (const [ms, n] of window.durations) allDurations.set(ms, (allDurations.get(ms) ?? 0) + n);
      }
    }
    if (allDurations.size > 0) data.push(...durationData(allDurations, dimensions, timestamp));
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

  private countType(workflowType: string, name: WorkflowCounter): void {
    const counts = this.typeWindow(workflowType).counts;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }

  private typeWindow(workflowType: string): { counts: Map<WorkflowCounter, number>; durations: Map<number, number> } {
    this.typesSeen.add(workflowType);
    let window = this.byType.get(workflowType);
    if (!window) this.byType.set(workflowType, (window = { counts: new Map(), durations: new Map() }));
    return window;
  }
}

/**
 * Durations as value/count pairs (at most 150 per datum), which CloudWatch keeps as a distribution:
 * p50, p90 and p99 can be read from them, as from Step Functions' ExecutionTime.
 */
function durationData(durations: Map<number, number>, dimensions: MetricDatum['Dimensions'], timestamp: Date): MetricDatum[] {
  const entries = [...durations.entries()].sort(([a], [b]) => a - b);
  const data: MetricDatum[] = [];
  for (let i = 0; i < entries.length; i += MAX_VALUES_PER_DATUM) {
    const chunk = entries.slice(i, i + MAX_VALUES_PER_DATUM);
    data.push({ MetricName: WorkerMetrics.workflowDuration, Dimensions: dimensions, Timestamp: timestamp, Unit: 'Milliseconds', Values: chunk.map(([ms]) => ms), Counts: chunk.map(([, n]) => n) });
  }
  return data;
}

import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '@temporalio/common';
import { METRICS_NAMESPACE, TASK_QUEUE_DIMENSION } from './names';
import type { ServerClosedRun } from './closed-by-server';
import { MetricsWindow, type BacklogSample } from './window';

export interface MetricsPublisherOptions {
  cloudWatch: CloudWatchClient;
  taskQueue: string;
  /** How often a window is closed and published. */
  intervalMs: number;
  /** Samples the task-queue backlog at each flush (worker/metrics/backlog.ts). */
  sampleBacklog: () => Promise<BacklogSample>;
  logger: Logger;
  namespace?: string;
  /** Runs the server closed (timed out, terminated) since the last window, given the queue's pollers (worker/metrics/closed-by-server.ts). */
  sampleClosedByServer?: (pollers: readonly string[]) => Promise<ServerClosedRun[]>;
}

/** PutMetricData takes at most 1000 data points per call; a window has about ten. */
const MAX_DATA_PER_CALL = 1000;

/**
 * Publishes the worker's metrics to CloudWatch: every `intervalMs` the current window is closed,
 * the backlog sampled, and both sent with PutMetricData, one data point per metric per window.
 * Publishing never fails the worker: a window whose PutMetricData fails is logged and dropped,
 * and the next window starts clean; a failed backlog sample only leaves the backlog out.
 */
export class MetricsPublisher {
  /** The window the interceptors and sinks record into. */
  readonly window = new MetricsWindow();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly namespace: string;
  private readonly dimensions: MetricDatum['Dimensions'];

  constructor(private readonly options: MetricsPublisherOptions) {
    this.namespace = options.namespace ?? METRICS_NAMESPACE;
    this.dimensions = [{ Name: TASK_QUEUE_DIMENSION, Value: options.taskQueue }];
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    // A pending flush must not keep a stopping worker alive; close() sends the last window.
    this.timer.unref();
  }

  /** Closes the current window and publishes it; resolves when sent (or dropped). Calls are serialized. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.publishWindow());
    return this.flushing;
  }

  /** Stops the timer and publishes the last window, so metrics recorded during shutdown are kept. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async publishWindow(): Promise<void> {
    const backlog = await this.options.sampleBacklog().catch((err: unknown) => {
      this.options.logger.warn('could not read the task-queue backlog; publishing this window without it', { taskQueue: this.options.taskQueue, error: String(err) });
      return undefined;
    });
    if (this.options.sampleClosedByServer) {
      const runs = await this.options.sampleClosedByServer(backlog?.identities ?? []).catch((err: unknown) => {
        this.options.logger.warn('could not read the runs Temporal closed by timeout or termination; this window counts none', { taskQueue: this.options.taskQueue, error: String(err) });
        return [];
      });
      for (const run of runs) this.window.workflowClosed(run.workflowType, run.outcome, run.durationMs);
    }
    const data = this.window.drain(new Date(), this.dimensions, backlog);
    try {
      for (let i = 0; i < data.length; i += MAX_DATA_PER_CALL) {
        await this.options.cloudWatch.send(new PutMetricDataCommand({ Namespace: this.namespace, MetricData: data.slice(i, i + MAX_DATA_PER_CALL) }));
      }
    } catch (err) {
      this.options.logger.warn('could not publish worker metrics to CloudWatch; this window is dropped', {
        namespace: this.namespace,
        taskQueue: this.options.taskQueue,
        dropped: data.map((d) => d.MetricName),
        error: String(err),
      });
    }
  }
}

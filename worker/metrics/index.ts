import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '@temporalio/common';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { hostname } from 'node:os';
import { sampleBacklog } from './backlog';
import { ClosedByServerSampler } from './closed-by-server';
import { activityMetricsInterceptor, workflowMetricsSinks } from './instrumentation';
import { METRICS_NAMESPACE } from './names';
import { MetricsPublisher } from './publisher';
import type { WorkerMetricsRecorder } from './window';

/** WORKER_METRICS and WORKER_METRICS_INTERVAL_MS, parsed by worker/config.ts. */
export interface MetricsSettings {
  enabled: boolean;
  intervalMs: number;
}

/** Where the worker's workflow code comes from: bundled ahead of time, or bundled at start-up. */
export type WorkflowCode = { workflowBundle: { codePath: string } } | { workflowsPath: string };

/**
 * The workflow interceptor modules every workflow bundle of this worker must contain: passed to
 * the SDK when it bundles at start-up, and to bundleWorkflowCode by scripts/build-worker.ts.
 */
export function workflowInterceptorModules(): string[] {
  return [require.resolve('../../workflows/lib/metrics-interceptor')];
}

export interface WorkerMetricsWiring {
  /** Spread into Worker.create: the workflow code with its interceptor, the activity interceptor, the sink, and the identity the worker polls as. */
  workerOptions(code: WorkflowCode): WorkflowCode & Required<Pick<WorkerOptions, 'interceptors' | 'sinks' | 'identity'>>;
  /** Starts publishing every interval (nothing when metrics are off). */
  start(): void;
  /** Publishes the last window; call once the worker has stopped. */
  close(): Promise<void>;
}

const DISCARD: WorkerMetricsRecorder = { workflowStarted() {}, workflowClosed() {}, activityAttempt() {} };

/**
 * The worker's metrics, wired the same way for worker/main.ts and the tests: interceptors and a
 * sink record into a window that a publisher flushes to CloudWatch (worker/metrics/publisher.ts),
 * with the task-queue backlog sampled from Temporal at each flush. With metrics off the sink is
 * still registered, because a prebuilt workflow bundle always contains the interceptor that calls
 * it; what it records is discarded.
 */
export function createWorkerMetrics(options: {
  settings: MetricsSettings;
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  /** Default: from the environment (AWS_REGION, AWS_ENDPOINT_URL locally). */
  cloudWatch?: CloudWatchClient;
  /** How far behind now a window of server-closed runs ends (visibility lags the close). Default 30 s. */
  closedByServerLagMs?: number;
}): WorkerMetricsWiring {
  const { settings, connection, namespace, taskQueue, logger } = options;
  // The SDK's default identity, set explicitly so the server-closed sampler knows which poller it is.
  const identity = `${process.pid}@${hostname()}`;
  const closedByServer = new ClosedByServerSampler({ connection, namespace, taskQueue, identity, ...(options.closedByServerLagMs !== undefined ? { lagMs: options.closedByServerLagMs } : {}) });
  const publisher = settings.enabled
    ? new MetricsPublisher({
        // Bounded, so a CloudWatch endpoint that hangs cannot hold up a flush or the worker's shutdown.
        cloudWatch: options.cloudWatch ?? new CloudWatchClient({ requestHandler: { connectionTimeout: 5000, requestTimeout: 10000 } }),
        taskQueue,
        intervalMs: settings.intervalMs,
        sampleBacklog: () => sampleBacklog(connection, namespace, taskQueue),
        sampleClosedByServer: (pollers) => closedByServer.sample(pollers),
        logger,
      })
    : undefined;
  const recorder = publisher?.window ?? DISCARD;
  return {
    workerOptions: (code) => ({
      ...code,
      interceptors: {
        activity: [activityMetricsInterceptor(recorder)],
        // A prebuilt bundle has the interceptor compiled in; the SDK ignores workflowModules for it.
        workflowModules: 'workflowsPath' in code ? workflowInterceptorModules() : [],
      },
      sinks: workflowMetricsSinks(recorder),
      identity,
    }),
    start() {
      if (!publisher) {
        logger.info('worker metrics are off (WORKER_METRICS=off): nothing is published to CloudWatch', { taskQueue });
        return;
      }
      publisher.start();
      logger.info('publishing worker metrics to CloudWatch', { namespace: METRICS_NAMESPACE, taskQueue, intervalMs: settings.intervalMs });
    },
    close: async () => publisher?.close(),
  };
}

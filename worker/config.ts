import type { VersioningBehavior } from '@temporalio/common';
import type { WorkerDeploymentOptions, WorkerOptions } from '@temporalio/worker';
import { claimCheckThreshold } from '../runtime/data-converter';
import { temporalConnectionFromEnv, type TemporalConnectionSettings } from '../runtime/temporal-connection';
import { DEFAULT_TASK_QUEUE } from '../runtime/workflow-names';
import type { MetricsSettings } from './metrics';

export interface WorkerConfig {
  /** Address, namespace and credentials (TEMPORAL_*: runtime/temporal-connection.ts). */
  temporal: TemporalConnectionSettings;
  taskQueue: string;
  /** Logical function name → deployed Lambda function name or ARN. */
  functions: Record<string, string>;
  /** How long in-flight activities get to finish on SIGTERM before they are handed back. */
  shutdownGraceMs: number;
  /** S3 bucket for payloads above `claimCheckThresholdBytes`; none: payloads stay inline. */
  claimCheckBucket?: string;
  claimCheckThresholdBytes: number;
  /**
   * Worker Deployment versioning (WORKER_DEPLOYMENT_NAME, WORKER_BUILD_ID,
   * WORKER_DEFAULT_VERSIONING_BEHAVIOR), passed to `Worker.create` as is; absent: the worker is unversioned.
   */
  workerDeploymentOptions?: WorkerDeploymentOptions;
  /** CloudWatch metrics (WORKER_METRICS, WORKER_METRICS_INTERVAL_MS): worker/metrics/. */
  metrics: MetricsSettings;
  /** WORKER_HEALTH_PORT: where `GET /healthz` answers (worker/health.ts); absent: no health server. */
  healthPort?: number;
}

/** How many tasks the worker runs and polls for at once (worker/main.ts; the bench measures the same). */
export interface WorkerTuning {
  /** Activity slots: a sync Lambda step holds one for its whole Invoke call. */
  maxConcurrentActivityTaskExecutions: number;
  /** Local-activity slots: a local step (`local: true`) holds one for its whole Invoke call. */
  maxConcurrentLocalActivityExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  /** Long polls kept open on the task queue for activity tasks and for workflow tasks. */
  activityTaskPollers: number;
  workflowTaskPollers: number;
}

/**
 * The SDK's own sizes, now explicit, kept after measuring 20 pipelines of 10 text-stats steps at
 * once on the 2-core local cloud: 2, 10 or 20 pollers of each kind gave the same throughput (31-32
 * steps/s as activities, 44 as local activities, against 45-47 for 20 chains of direct Invokes),
 * since a step's activity task comes back eagerly with the workflow task's reply rather than through
 * a poll, and the ceiling is the local cloud's Lambda executor sharing the cores; 5 slots instead of
 * 100 cut it to 26 and 37 (direct: 52). Size the slots to the steps expected to run at once.
 */
export const DEFAULT_WORKER_TUNING: WorkerTuning = {
  maxConcurrentActivityTaskExecutions: 100,
  maxConcurrentLocalActivityExecutions: 100,
  maxConcurrentWorkflowTaskExecutions: 40,
  activityTaskPollers: 10,
  workflowTaskPollers: 10,
};

/**
 * Sockets the worker's Lambda client keeps alive: one per step slot, since every running sync or
 * local step holds one Invoke call open; the SDK's default agent stops at 50 and queues the rest.
 */
export function lambdaSocketsFor(tuning: WorkerTuning): number {
  return tuning.maxConcurrentActivityTaskExecutions + tuning.maxConcurrentLocalActivityExecutions;
}

/** The tuning as `Worker.create` options. */
export function workerTuningOptions(tuning: WorkerTuning): Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentLocalActivityExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'activityTaskPollerBehavior' | 'workflowTaskPollerBehavior'> {
  return {
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
    maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivityExecutions,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.activityTaskPollers },
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.workflowTaskPollers },
  };
}

/** Reads the worker's configuration from its environment; every error names the variable and the rule. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const rawFunctions = env.STEPLESS_FUNCTIONS;
  if (rawFunctions === undefined || rawFunctions === '') {
    throw new Error('STEPLESS_FUNCTIONS is not set: it must be a JSON object mapping logical function names to Lambda function names (the stack output WorkerFunctions)');
  }
  let functions: unknown;
  try {
    functions = JSON.parse(rawFunctions);
  } catch (err) {
    throw new Error(`STEPLESS_FUNCTIONS is not valid JSON: ${(err as Error).message}`);
  }
  if (functions === null || typeof functions !== 'object' || Array.isArray(functions) || !Object.values(functions).every((v) => typeof v === 'string' && v !== '')) {
    throw new Error('STEPLESS_FUNCTIONS must be a JSON object whose values are non-empty strings, e.g. {"textStats":"my-fn"}');
  }
  const grace = env.WORKER_SHUTDOWN_GRACE_MS ?? '10000';
  const shutdownGraceMs = Number(grace);
  if (!Number.isInteger(shutdownGraceMs) || shutdownGraceMs < 0) {
    throw new Error(`WORKER_SHUTDOWN_GRACE_MS must be a whole number of milliseconds ≥ 0, got "${grace}"`);
  }
  return {
    temporal: temporalConnectionFromEnv(env),
    taskQueue: env.TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    functions: functions as Record<string, string>,
    shutdownGraceMs,
    ...(env.CLAIM_CHECK_BUCKET ? { claimCheckBucket: env.CLAIM_CHECK_BUCKET } : {}),
    claimCheckThresholdBytes: claimCheckThreshold(env),
    ...workerVersioningFromEnv(env),
    metrics: workerMetricsFromEnv(env),
    ...workerHealthFromEnv(env),
  };
}

const VERSIONING_BEHAVIORS: readonly VersioningBehavior[] = ['PINNED', 'AUTO_UPGRADE'];

/**
 * Worker Deployment versioning (docs/versioning.md). WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID come
 * together or not at all: with both, the worker polls as that Worker Deployment Version and only gets
 * the tasks the server routes to it; with neither it is unversioned, as before.
 * WORKER_DEFAULT_VERSIONING_BEHAVIOR (PINNED, the default, or AUTO_UPGRADE) applies to every
 * workflow this worker runs. Empty values count as unset.
 */
export function workerVersioningFromEnv(env: NodeJS.ProcessEnv): { workerDeploymentOptions?: WorkerDeploymentOptions } {
  const deploymentName = env.WORKER_DEPLOYMENT_NAME || undefined;
  const buildId = env.WORKER_BUILD_ID || undefined;
  const behavior = env.WORKER_DEFAULT_VERSIONING_BEHAVIOR || undefined;
  if (deploymentName === undefined && buildId === undefined) {
    if (behavior !== undefined) {
      throw new Error(
        `WORKER_DEFAULT_VERSIONING_BEHAVIOR is set ("${behavior}") but Worker Versioning is off: it only applies with WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID; set both, or unset WORKER_DEFAULT_VERSIONING_BEHAVIOR`,
      );
    }
    return {};
  }
  if (deploymentName === undefined || buildId === undefined) {
    const [missing, present] = deploymentName === undefined ? ['WORKER_DEPLOYMENT_NAME', 'WORKER_BUILD_ID'] : ['WORKER_BUILD_ID', 'WORKER_DEPLOYMENT_NAME'];
    throw new Error(
      `${missing} is not set but ${present} is: Worker Versioning needs both WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID (or neither, for an unversioned worker)`,
    );
  }
  // The server refuses these only when the worker polls, and the SDK keeps retrying: a worker that starts but never gets a task.
  if (/[.:]/.test(deploymentName)) {
    throw new Error(`WORKER_DEPLOYMENT_NAME must not contain '.' or ':' (the server's version separators), got "${deploymentName}"`);
  }
  if (buildId.startsWith('__')) {
    throw new Error(`WORKER_BUILD_ID must not start with '__' (reserved by the server, e.g. __unversioned__), got "${buildId}"`);
  }
  if (behavior !== undefined && !(VERSIONING_BEHAVIORS as readonly string[]).includes(behavior)) {
    throw new Error(`WORKER_DEFAULT_VERSIONING_BEHAVIOR must be ${VERSIONING_BEHAVIORS.join(' or ')}, got "${behavior}"`);
  }
  return {
    workerDeploymentOptions: {
      useWorkerVersioning: true,
      version: { deploymentName, buildId },
      defaultVersioningBehavior: (behavior as VersioningBehavior | undefined) ?? 'PINNED',
    },
  };
}

/**
 * The worker's CloudWatch metrics (worker/metrics/). WORKER_METRICS: "on" (the default, locally
 * too: LocalStack serves CloudWatch) or "off". WORKER_METRICS_INTERVAL_MS: how often a window is
 * published and the backlog sampled, a whole number of milliseconds ≥ 1000, default 60000 (the
 * one-minute period the stack's alarms and autoscaling read). Empty values count as unset.
 */
export function workerMetricsFromEnv(env: NodeJS.ProcessEnv): MetricsSettings {
  const switchValue = (env.WORKER_METRICS || 'on').toLowerCase();
  if (switchValue !== 'on' && switchValue !== 'off') {
    throw new Error(`WORKER_METRICS must be "on" or "off" (publish the worker's CloudWatch metrics or not), got "${env.WORKER_METRICS}"`);
  }
  const rawInterval = env.WORKER_METRICS_INTERVAL_MS || '60000';
  const intervalMs = Number(rawInterval);
  // Above 2^31-1 ms Node's timers fire after 1 ms instead.
  if (!/^\d+$/.test(rawInterval) || intervalMs < 1000 || intervalMs > 2 ** 31 - 1) {
    throw new Error(`WORKER_METRICS_INTERVAL_MS must be a whole number of milliseconds ≥ 1000 (and below 2^31), got "${rawInterval}"`);
  }
  return { enabled: switchValue === 'on', intervalMs };
}

/** WORKER_HEALTH_PORT: a TCP port (1-65535) for `GET /healthz` (worker/health.ts); unset or empty: no health server. */
export function workerHealthFromEnv(env: NodeJS.ProcessEnv): { healthPort?: number } {
  const raw = env.WORKER_HEALTH_PORT;
  if (raw === undefined || raw === '') return {};
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new Error(`WORKER_HEALTH_PORT must be a TCP port number (1-65535) for the health check's GET /healthz, got "${raw}"`);
  }
  return { healthPort: port };
}

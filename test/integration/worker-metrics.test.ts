import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { localAwsClientConfig, temporalAddress, temporalNamespace } from '../../infra/local/config';
import { startHealthServer } from '../../worker/health';
import { createWorkerMetrics } from '../../worker/metrics';
import { sampleBacklog } from '../../worker/metrics/backlog';
import { METRICS_NAMESPACE, TASK_QUEUE_DIMENSION, WORKFLOW_TYPE_DIMENSION, WorkerMetrics, type WorkerMetricName } from '../../worker/metrics/names';
import type { MetricsActivities } from './fixtures/metrics-workflows';
import { waitFor } from './lambda-bridge-support';

/**
 * The worker's metrics and health check on the real local cloud: a worker wired exactly as
 * worker/main.ts wires it (createWorkerMetrics, startHealthServer) runs workflows with known
 * outcomes on its own task queue, and what reaches LocalStack's CloudWatch is read back.
 */
const cloudWatch = new CloudWatchClient(localAwsClientConfig);
const since = new Date(Date.now() - 5 * 60_000);

/** The ECS container health check, verbatim (infra: the worker's task definition). */
const ECS_HEALTH_CHECK = "fetch('http://127.0.0.1:'+process.env.WORKER_HEALTH_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))";

function runHealthCheck(port: number): Promise<number | null> {
  const child = spawn(process.execPath, ['-e', ECS_HEALTH_CHECK], { env: { PATH: process.env.PATH, WORKER_HEALTH_PORT: String(port) }, stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', resolve));
}

/** Every data point CloudWatch holds for one metric of one task queue (or one workflow type on it), folded into one statistic set. */
async function published(taskQueue: string, metric: WorkerMetricName, workflowType?: string): Promise<{ sum: number; samples: number; min: number; max: number }> {
  const { Datapoints = [] } = await cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: METRICS_NAMESPACE,
      MetricName: metric,
      Dimensions: [{ Name: TASK_QUEUE_DIMENSION, Value: taskQueue }, ...(workflowType ? [{ Name: WORKFLOW_TYPE_DIMENSION, Value: workflowType }] : [])],
      StartTime: since,
      EndTime: new Date(Date.now() + 5 * 60_000),
      Period: 60,
      Statistics: ['Sum', 'SampleCount', 'Minimum', 'Maximum'],
    }),
  );
  return {
    sum: Datapoints.reduce((s, d) => s + (d.Sum ?? 0), 0),
    samples: Datapoints.reduce((s, d) => s + (d.SampleCount ?? 0), 0),
    min: Math.min(...Datapoints.map((d) => d.Minimum ?? Infinity)),
    max: Math.max(...Datapoints.map((d) => d.Maximum ?? -Infinity)),
  };
}

/**
 * The TaskQueue-only series of a metric that is also published per workflow type. LocalStack's
 * CloudWatch matches a query's dimensions as a subset (AWS matches the set exactly), so its answer
 * for TaskQueue alone includes the per-type series: those are taken away again here.
 */
async function publishedForQueue(taskQueue: string, metric: WorkerMetricName): Promise<{ sum: number; samples: number }> {
  const all = await published(taskQueue, metric);
  const { Metrics = [] } = await cloudWatch.send(new ListMetricsCommand({ Namespace: METRICS_NAMESPACE, MetricName: metric, Dimensions: [{ Name: TASK_QUEUE_DIMENSION, Value: taskQueue }] }));
  const types = new Set(Metrics.flatMap((m) => m.Dimensions?.filter((d) => d.Name === WORKFLOW_TYPE_DIMENSION).map((d) => d.Value!) ?? []));
  let { sum, samples } = all;
  for (const type of types) {
    const perType = await published(taskQueue, metric, type);
    sum -= perType.sum;
    samples -= perType.samples;
  }
  return { sum, samples };
}

async function historyHas(client: Client, workflowId: string, event: 'workflowTaskCompletedEventAttributes' | 'workflowTaskFailedEventAttributes'): Promise<boolean> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).some((e) => e[event]);
}

const activities: MetricsActivities = {
  metricsStep: (ms) => sleep(ms),
  metricsBoom: () => Promise.reject(new Error('boom on purpose')),
};

describe('worker metrics and health check, on the local cloud', () => {
  let connection: NativeConnection;
  let client: Client;
  let closeClient: () => Promise<void>;
  const warnings: string[] = [];
  const logger = new DefaultLogger('WARN', (entry) => warnings.push(`${entry.message} ${JSON.stringify(entry.meta)}`));

  beforeAll(async () => {
    await cloudWatch.send(new ListMetricsCommand({ Namespace: METRICS_NAMESPACE })).catch((err: unknown) => {
      throw new Error(
        `LocalStack does not answer CloudWatch (${String(err)}): 'cloudwatch' must be in LOCALSTACK_SERVICES (infra/local/localstack.ts), and a LocalStack started before it was added must be restarted (npm run local:down && npm run local:up)`,
      );
    });
    connection = await NativeConnection.connect({ address: temporalAddress });
    const clientConnection = await Connection.connect({ address: temporalAddress });
    client = new Client({ connection: clientConnection, namespace: temporalNamespace });
    closeClient = () => clientConnection.close();
  });

  afterAll(async () => {
    await connection?.close();
    await closeClient?.();
  });

  it('publishes workflow outcomes and activity attempts of a real worker, and /healthz follows its state', async () => {
    const taskQueue = `metrics-${randomUUID()}`;
    const metrics = createWorkerMetrics({ settings: { enabled: true, intervalMs: 1000 }, connection, namespace: temporalNamespace, taskQueue, logger, cloudWatch });
    const worker = await Worker.create({
      connection,
      namespace: temporalNamespace,
      taskQueue,
      ...metrics.workerOptions({ workflowsPath: require.resolve('./fixtures/metrics-workflows') }),
      activities,
    });
    metrics.start();
    const health = await startHealthServer({ port: 0, state: () => worker.getState(), taskQueue });
    const healthz = () => fetch(`http://127.0.0.1:${health.port}/healthz`);
    const running = worker.run();
    // Awaited below; this only keeps an early rejection from being reported as unhandled meanwhile.
    running.catch(() => undefined);
    const id = (name: string) => `${name}-${randomUUID()}`;
    try {
      await waitFor('the worker to run', () => Promise.resolve(worker.getState() === 'RUNNING'));
      const ok = await healthz();
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ status: 'running', taskQueue });
      expect(await runHealthCheck(health.port)).toBe(0);

      const options = (name: string) => ({ taskQueue, workflowId: id(name) });
      await expect(client.workflow.execute('metricsCompletes', options('completes'))).resolves.toBe('done');
      await expect(client.workflow.execute('metricsCompletes', options('completes'))).resolves.toBe('done');
      await expect(client.workflow.execute('metricsFails', options('fails'))).rejects.toBeInstanceOf(WorkflowFailedError);
      await expect(client.workflow.execute('metricsRejects', options('rejects'))).rejects.toBeInstanceOf(WorkflowFailedError);
      // Three runs: two continue as new, the last completes.
      await expect(client.workflow.execute('metricsContinues', { ...options('continues'), args: [2] })).resolves.toBe(0);

      const waiting = await client.workflow.start('metricsWaitsForCancel', options('cancel'));
      await waitFor('the cancellable workflow to start', () => historyHas(client, waiting.workflowId, 'workflowTaskCompletedEventAttributes'));
      await waiting.cancel();
      await expect(waiting.result()).rejects.toBeInstanceOf(WorkflowFailedError);

      // A plain Error fails the workflow task, not the workflow: it stays open, and is neither started nor failed.
      const buggy = await client.workflow.start('metricsBug', options('bug'));
      await waitFor('the buggy workflow task to fail', () => historyHas(client, buggy.workflowId, 'workflowTaskFailedEventAttributes'));
      await buggy.terminate('test over');

      // Let the timer publish at least one window before shutdown publishes the last.
      await sleep(1500);

      worker.shutdown();
      // Unhealthy from the moment shutdown begins, before the worker has stopped.
      const stopping = await healthz();
      expect(stopping.status).toBe(503);
      expect(((await stopping.json()) as { status: string }).status).not.toBe('running');
      await running;
      expect((await healthz()).status).toBe(503);
      expect(await runHealthCheck(health.port)).toBe(1);
    } finally {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await health.close();
      await metrics.close();
    }
    await expect(healthz()).rejects.toThrow();
    expect(await runHealthCheck(health.port)).toBe(1);

    expect(warnings).toEqual([]);
    const count = async (metric: WorkerMetricName) => (await publishedForQueue(taskQueue, metric)).sum;
    expect(await count(WorkerMetrics.workflowStarted)).toBe(2 + 1 + 1 + 3 + 1);
    expect(await count(WorkerMetrics.workflowCompleted)).toBe(2 + 1);
    expect(await count(WorkerMetrics.workflowFailed)).toBe(2);
    expect(await count(WorkerMetrics.workflowCanceled)).toBe(1);
    expect(await count(WorkerMetrics.workflowContinuedAsNew)).toBe(2);
    // metricsCompletes: 2 attempts each; metricsFails: 1 that succeeds, then 2 that throw.
    expect(await count(WorkerMetrics.activityFailed)).toBe(2);
    const latency = await published(taskQueue, WorkerMetrics.activityLatency);
    expect(latency.samples).toBe(2 * 2 + 3);
    expect(latency.min).toBeGreaterThanOrEqual(0);
    expect(latency.max).toBeGreaterThanOrEqual(19);
    expect(latency.sum).toBeGreaterThanOrEqual(2 * 25 + 5);
    // The queue's own worker polled it; at shutdown nothing was waiting.
    expect((await published(taskQueue, WorkerMetrics.taskQueueBacklog)).samples).toBeGreaterThanOrEqual(2);
    // Per workflow type as well, with a duration for each execution that ended (not for a continue-as-new).
    expect(await published(taskQueue, WorkerMetrics.workflowCompleted, 'metricsCompletes')).toMatchObject({ sum: 2 });
    expect(await published(taskQueue, WorkerMetrics.workflowFailed, 'metricsRejects')).toMatchObject({ sum: 1 });
    expect((await published(taskQueue, WorkerMetrics.workflowDuration, 'metricsCompletes')).samples).toBe(2);
    expect((await publishedForQueue(taskQueue, WorkerMetrics.workflowDuration)).samples).toBe(2 + 1 + 1 + 1 + 1);
  });

  it('counts the runs Temporal closed by timeout and by termination, per workflow type, read from visibility', async () => {
    const taskQueue = `metrics-closed-${randomUUID()}`;
    // No visibility lag: the dev server's visibility is written with the close.
    const metrics = createWorkerMetrics({ settings: { enabled: true, intervalMs: 1000 }, connection, namespace: temporalNamespace, taskQueue, logger, cloudWatch, closedByServerLagMs: 0 });
    const worker = await Worker.create({ connection, namespace: temporalNamespace, taskQueue, ...metrics.workerOptions({ workflowsPath: require.resolve('./fixtures/metrics-workflows') }), activities });
    metrics.start();
    const running = worker.run();
    running.catch(() => undefined);
    const sum = async (metric: WorkerMetricName) => (await published(taskQueue, metric, 'metricsWaitsForCancel')).sum;
    try {
      await waitFor('the worker to run', () => Promise.resolve(worker.getState() === 'RUNNING'));
      const timesOut = await client.workflow.start('metricsWaitsForCancel', { taskQueue, workflowId: `times-out-${randomUUID()}`, workflowExecutionTimeout: '2 seconds' });
      const aborted = await client.workflow.start('metricsWaitsForCancel', { taskQueue, workflowId: `aborted-${randomUUID()}` });
      await waitFor('the workflow to start', () => historyHas(client, aborted.workflowId, 'workflowTaskCompletedEventAttributes'));
      await aborted.terminate('aborted by the test');
      await expect(timesOut.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      // Published once this worker is among the queue's pollers and a window has covered both closes.
      await waitFor('the timeout and the termination to be published', async () => (await sum(WorkerMetrics.workflowTimedOut)) >= 1 && (await sum(WorkerMetrics.workflowTerminated)) >= 1, 60_000, 1000);
    } finally {
      worker.shutdown();
      await running.catch(() => undefined);
      await metrics.close();
    }
    expect(warnings).toEqual([]);
    expect(await sum(WorkerMetrics.workflowStarted)).toBe(2);
    expect(await sum(WorkerMetrics.workflowTimedOut)).toBe(1);
    expect(await sum(WorkerMetrics.workflowTerminated)).toBe(1);
    expect((await published(taskQueue, WorkerMetrics.workflowDuration, 'metricsWaitsForCancel')).samples).toBe(2);
  });

  it('publishes the backlog of a task queue that no worker polls', async () => {
    const taskQueue = `metrics-idle-${randomUUID()}`;
    const handles = await Promise.all([0, 1, 2].map((i) => client.workflow.start('metricsCompletes', { taskQueue, workflowId: `idle-${i}-${randomUUID()}` })));
    try {
      await waitFor('the server to count the backlog', async () => (await sampleBacklog(connection, temporalNamespace, taskQueue)).backlog >= 3, 30000, 500);
      // Not started: close() publishes the one window, as a stopping worker would.
      const metrics = createWorkerMetrics({ settings: { enabled: true, intervalMs: 60_000 }, connection, namespace: temporalNamespace, taskQueue, logger, cloudWatch });
      await metrics.close();
    } finally {
      await Promise.all(handles.map((h) => h.terminate('test over')));
    }
    expect(warnings).toEqual([]);
    const backlog = await published(taskQueue, WorkerMetrics.taskQueueBacklog);
    expect(backlog.max).toBeGreaterThanOrEqual(3);
    // No pollers: the whole backlog per (at least one) worker, which is what makes the service scale out from zero.
    expect((await published(taskQueue, WorkerMetrics.backlogPerWorker)).max).toBe(backlog.max);
    // Nothing ran here: every counter is published as 0, and no latency.
    expect(await published(taskQueue, WorkerMetrics.workflowStarted)).toMatchObject({ sum: 0, samples: 1 });
    expect((await published(taskQueue, WorkerMetrics.activityLatency)).samples).toBe(0);
  });
});

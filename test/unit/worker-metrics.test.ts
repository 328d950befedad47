import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CompleteAsyncError } from '@temporalio/activity';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { ClosedByServerSampler, closedByServerQuery } from '../../worker/metrics/closed-by-server';
import { activityMetricsInterceptor, workflowMetricsSinks } from '../../worker/metrics/instrumentation';
import { MetricsPublisher } from '../../worker/metrics/publisher';
import { MetricsWindow, type BacklogSample, type WorkerMetricsRecorder } from '../../worker/metrics/window';
import { outcomeOf } from '../../workflows/lib/metrics-interceptor';

const dimensions = [{ Name: 'TaskQueue', Value: 'q' }];
const at = new Date('2026-01-01T00:00:00Z');
/** The task-queue series (not the per-type ones) by metric name. */
const byName = (data: MetricDatum[]): Record<string, MetricDatum | undefined> =>
  Object.fromEntries(data.filter((d) => !d.Dimensions?.some((x) => x.Name === 'WorkflowType')).map((d): [string, MetricDatum] => [d.MetricName ?? '', d]));
/** The series of one workflow type by metric name. */
const ofType = (data: MetricDatum[], type: string): Record<string, MetricDatum | undefined> =>
  Object.fromEntries(data.filter((d) => d.Dimensions?.some((x) => x.Name === 'WorkflowType' && x.Value === type)).map((d): [string, MetricDatum] => [d.MetricName ?? '', d]));

describe('MetricsWindow', () => {
  it('publishes every counter, zero included, and no latency before any activity ran', () => {
    const data = new MetricsWindow().drain(at, dimensions);
    expect(data.map((d) => d.MetricName)).toEqual([
      'WorkflowStarted', 'WorkflowCompleted', 'WorkflowFailed', 'WorkflowCanceled', 'WorkflowContinuedAsNew', 'WorkflowTimedOut', 'WorkflowTerminated', 'ActivityFailed',
    ]);
    expect(data.every((d) => d.Value === 0 && d.Unit === 'Count' && d.Timestamp === at && d.Dimensions === dimensions)).toBe(true);
  });

  it('sums counters and keeps activity latency as a statistic set in milliseconds', () => {
    const window = new MetricsWindow();
    window.workflowStarted('order');
    window.workflowStarted('order');
    window.workflowClosed('order', 'completed', 1000);
    window.workflowClosed('order', 'failed', 1000);
    window.workflowClosed('order', 'canceled', 1000);
    window.workflowClosed('order', 'continuedAsNew', 1000);
    window.activityAttempt(12.5, false);
    window.activityAttempt(3, true);
    window.activityAttempt(40, true);
    const data = byName(window.drain(at, dimensions));
    expect(data).toMatchObject({
      WorkflowStarted: { Value: 2 },
      WorkflowCompleted: { Value: 1 },
      WorkflowFailed: { Value: 1 },
      WorkflowCanceled: { Value: 1 },
      WorkflowContinuedAsNew: { Value: 1 },
      ActivityFailed: { Value: 2 },
      ActivityLatency: { Unit: 'Milliseconds', StatisticValues: { SampleCount: 3, Sum: 55.5, Minimum: 3, Maximum: 40 } },
    });
    expect(data.ActivityLatency).not.toHaveProperty('Value');
  });

  it('publishes the workflow metrics per workflow type too, like Step Functions per state machine, with durations for percentiles', () => {
    const window = new MetricsWindow();
    window.workflowStarted('order');
    window.workflowStarted('training');
    window.workflowClosed('order', 'completed', 1200.4);
    window.workflowClosed('order', 'completed', 1200.2);
    window.workflowClosed('order', 'failed', 300);
    window.workflowClosed('training', 'continuedAsNew', 5000);
    window.workflowClosed('training', 'timedOut', 9000);
    window.workflowClosed('training', 'terminated', 7000);
    const data = window.drain(at, dimensions);
    expect(ofType(data, 'order')).toMatchObject({
      WorkflowStarted: { Value: 1, Dimensions: [{ Name: 'TaskQueue', Value: 'q' }, { Name: 'WorkflowType', Value: 'order' }] },
      WorkflowCompleted: { Value: 2 },
      WorkflowFailed: { Value: 1 },
      WorkflowTimedOut: { Value: 0 },
      WorkflowDuration: { Unit: 'Milliseconds', Values: [300, 1200], Counts: [1, 2] },
    });
    // A continue-as-new is not the end of the execution: no duration for it.
    expect(ofType(data, 'training')).toMatchObject({ WorkflowContinuedAsNew: { Value: 1 }, WorkflowTimedOut: { Value: 1 }, WorkflowTerminated: { Value: 1 }, WorkflowDuration: { Values: [7000, 9000], Counts: [1, 1] } });
    // The task queue's series add up the types.
    expect(byName(data)).toMatchObject({ WorkflowStarted: { Value: 2 }, WorkflowCompleted: { Value: 2 }, WorkflowTimedOut: { Value: 1 }, WorkflowDuration: { Values: [300, 1200, 7000, 9000], Counts: [1, 2, 1, 1] } });
    // A type seen once keeps its series at zero afterwards (silence stays visible), without durations.
    const next = window.drain(at, dimensions);
    expect(ofType(next, 'order')).toMatchObject({ WorkflowStarted: { Value: 0 }, WorkflowCompleted: { Value: 0 } });
    expect(ofType(next, 'order')).not.toHaveProperty('WorkflowDuration');
  });

  it('splits durations into data points of at most 150 distinct values (PutMetricData\'s limit)', () => {
    const window = new MetricsWindow();
    for (let ms = 1; ms <= 400; ms++) window.workflowClosed('order', 'completed', ms);
    const durations = window.drain(at, dimensions).filter((d) => d.MetricName === 'WorkflowDuration' && d.Dimensions?.length === 2);
    expect(durations.map((d) => d.Values!.length)).toEqual([150, 150, 100]);
    expect(durations.flatMap((d) => d.Counts!).reduce((a, b) => a + b, 0)).toBe(400);
  });

  it('starts a new window at each drain: nothing is published twice', () => {
    const window = new MetricsWindow();
    window.workflowStarted('order');
    window.activityAttempt(5, false);
    window.drain(at, dimensions);
    window.activityAttempt(7, false);
    const second = byName(window.drain(at, dimensions));
    expect(second.WorkflowStarted?.Value).toBe(0);
    expect(second.ActivityLatency?.StatisticValues).toEqual({ SampleCount: 1, Sum: 7, Minimum: 7, Maximum: 7 });
  });

  it.each([
    [{ backlog: 12, pollers: 3 }, 4],
    [{ backlog: 5, pollers: 0 }, 5],
    [{ backlog: 0, pollers: 2 }, 0],
  ])('publishes the backlog %j as %d per worker (at least one worker, so an idle service scales out)', (sample: BacklogSample, perWorker) => {
    const data = byName(new MetricsWindow().drain(at, dimensions, sample));
    expect(data.TaskQueueBacklog).toMatchObject({ Value: sample.backlog, Unit: 'Count' });
    expect(data.BacklogPerWorker).toMatchObject({ Value: perWorker, Unit: 'Count' });
  });
});

/** CloudWatch at the network boundary: records each PutMetricData request, answers with `status`. */
class FakeCloudWatch {
  readonly requests: Array<{ target: string; body: { Namespace: string; MetricData: Array<MetricDatum & { Timestamp: number }> } }> = [];
  status = 200;
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        this.requests.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(raw.toString('utf8')) as FakeCloudWatch['requests'][number]['body'] });
        res.writeHead(this.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(this.status === 200 ? '{}' : JSON.stringify({ __type: 'InternalServiceFault', message: 'down for the test' }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

function recordingLogger(): Logger & { warnings: Array<{ message: string; meta?: LogMetadata }> } {
  const warnings: Array<{ message: string; meta?: LogMetadata }> = [];
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (level === 'WARN') warnings.push({ message, meta });
  };
  return {
    warnings,
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

const cloudWatchAt = (endpoint: string) =>
  new CloudWatchClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

describe('MetricsPublisher', () => {
  const fake = new FakeCloudWatch();
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.status = 200;
  });

  const publisher = (overrides: Partial<ConstructorParameters<typeof MetricsPublisher>[0]> = {}) =>
    new MetricsPublisher({
      cloudWatch: cloudWatchAt(endpoint),
      taskQueue: 'orders',
      intervalMs: 60_000,
      sampleBacklog: () => Promise.resolve({ backlog: 6, pollers: 2 }),
      logger: recordingLogger(),
      ...overrides,
    });

  it('sends one PutMetricData per window, in the Stepless namespace, with the TaskQueue dimension (and WorkflowType for the per-type series)', async () => {
    const p = publisher();
    p.window.workflowStarted('order');
    p.window.activityAttempt(10, false);
    await p.flush();
    expect(fake.requests).toHaveLength(1);
    const [{ target, body }] = fake.requests as [FakeCloudWatch['requests'][number]];
    expect(target).toBe('GraniteServiceVersion20100801.PutMetricData');
    expect(body.Namespace).toBe('Stepless');
    const dims = new Set(body.MetricData.map((d) => JSON.stringify(d.Dimensions)));
    expect([...dims].sort()).toEqual([JSON.stringify([{ Name: 'TaskQueue', Value: 'orders' }]), JSON.stringify([{ Name: 'TaskQueue', Value: 'orders' }, { Name: 'WorkflowType', Value: 'order' }])].sort());
    expect(byName(body.MetricData)).toMatchObject({
      WorkflowStarted: { Value: 1, Unit: 'Count' },
      ActivityLatency: { StatisticValues: { SampleCount: 1, Sum: 10, Minimum: 10, Maximum: 10 }, Unit: 'Milliseconds' },
      TaskQueueBacklog: { Value: 6 },
      BacklogPerWorker: { Value: 3 },
    });
  });

  it('publishes on its interval once started, and the last window on close', async () => {
    const p = publisher({ intervalMs: 50 });
    p.start();
    p.window.workflowStarted('order');
    for (const deadline = Date.now() + 10_000; fake.requests.length < 2 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    p.window.workflowClosed('order', 'completed', 1000);
    await p.close();
    const afterClose = fake.requests.length;
    const started = fake.requests.map((r) => byName(r.body.MetricData).WorkflowStarted?.Value);
    const completed = fake.requests.map((r) => byName(r.body.MetricData).WorkflowCompleted?.Value);
    // Each event in exactly one window; the one recorded after the timer windows goes out on close.
    expect(started.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(1);
    expect(completed.at(-1)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(fake.requests).toHaveLength(afterClose); // stopped: no more windows after close
  });

  it('logs a failed PutMetricData as a warning, drops only that window, and publishes the next', async () => {
    const logger = recordingLogger();
    const p = publisher({ logger });
    fake.status = 500;
    p.window.workflowClosed('order', 'failed', 1000);
    await expect(p.flush()).resolves.toBeUndefined();
    expect(logger.warnings).toEqual([expect.objectContaining({ message: expect.stringContaining('could not publish worker metrics') })]);
    expect(logger.warnings[0]?.meta).toMatchObject({ namespace: 'Stepless', taskQueue: 'orders', error: expect.stringContaining('down for the test') });

    fake.status = 200;
    p.window.workflowClosed('order', 'completed', 1000);
    await p.flush();
    const last = byName(fake.requests.at(-1)!.body.MetricData);
    expect(last.WorkflowCompleted?.Value).toBe(1);
    expect(last.WorkflowFailed?.Value).toBe(0); // the failed window is gone, not resent
  });

  it('survives a CloudWatch endpoint nobody listens on', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const logger = recordingLogger();
    const p = publisher({ cloudWatch: cloudWatchAt(`http://127.0.0.1:${port}`), logger });
    p.window.workflowStarted('order');
    await expect(p.close()).resolves.toBeUndefined();
    expect(logger.warnings).toHaveLength(1);
    expect(String(logger.warnings[0]?.meta?.error)).toMatch(/ECONNREFUSED/);
  });

  it('publishes the counters without the backlog when Temporal cannot be asked', async () => {
    const logger = recordingLogger();
    const p = publisher({ logger, sampleBacklog: () => Promise.reject(new Error('14 UNAVAILABLE: temporal is down')) });
    p.window.workflowStarted('order');
    await p.flush();
    const data = byName(fake.requests[0]!.body.MetricData);
    expect(data.WorkflowStarted?.Value).toBe(1);
    expect(data).not.toHaveProperty('TaskQueueBacklog');
    expect(logger.warnings).toEqual([expect.objectContaining({ message: expect.stringContaining('backlog') })]);
  });
});

describe('the activity interceptor and the workflow sink', () => {
  const recorded: Array<[string, ...unknown[]]> = [];
  const recorder: WorkerMetricsRecorder = {
    workflowStarted: (type) => recorded.push(['started', type]),
    workflowClosed: (type, outcome, ms) => recorded.push(['closed', type, outcome, ms]),
    activityAttempt: (ms, failed) => recorded.push(['attempt', ms, failed]),
  };
  const execute = activityMetricsInterceptor(recorder)({} as never).inbound!.execute!;
  const input: ActivityExecuteInput = { args: [], headers: {} };
  beforeEach(() => (recorded.length = 0));

  it('times an attempt that returns, and one that throws (counted failed, error passed on)', async () => {
    await expect(execute(input, () => new Promise((resolve) => setTimeout(() => resolve('ok'), 15)))).resolves.toBe('ok');
    await expect(execute(input, () => Promise.reject(new Error('lambda said no')))).rejects.toThrow('lambda said no');
    expect(recorded).toEqual([
      ['attempt', expect.any(Number), false],
      ['attempt', expect.any(Number), true],
    ]);
    expect(recorded[0]![1]).toBeGreaterThanOrEqual(14);
  });

  it('does not record an attempt handed off for async completion: it has not finished', async () => {
    await expect(execute(input, () => Promise.reject(new CompleteAsyncError()))).rejects.toBeInstanceOf(CompleteAsyncError);
    expect(recorded).toEqual([]);
  });

  it('injects the sink the workflow interceptor calls, never during replay', () => {
    const sinks = workflowMetricsSinks(recorder);
    expect(sinks.workflowMetrics.started.callDuringReplay).toBe(false);
    expect(sinks.workflowMetrics.closed.callDuringReplay).toBe(false);
    const info = { workflowType: 'order', startTime: new Date(Date.now() - 5000) } as never;
    void sinks.workflowMetrics.started.fn(info);
    void sinks.workflowMetrics.closed.fn(info, 'canceled');
    expect(recorded).toEqual([['started', 'order'], ['closed', 'order', 'canceled', expect.any(Number)]]);
    // The duration runs from the execution's start (its first run) to the close.
    expect(recorded[1]![3]).toBeGreaterThanOrEqual(5000);
    expect(recorded[1]![3]).toBeLessThan(60_000);
  });
});

describe('outcomeOf: how a run ended, from the command that closes it', () => {
  it.each([
    [{ completeWorkflowExecution: {} }, 'completed'],
    [{ failWorkflowExecution: {} }, 'failed'],
    [{ cancelWorkflowExecution: {} }, 'canceled'],
    [{ continueAsNewWorkflowExecution: {} }, 'continuedAsNew'],
  ])('%j → %s', (command, outcome) => {
    expect(outcomeOf([{ scheduleActivity: {} }, command])).toBe(outcome);
  });

  it('is undefined while the run goes on', () => {
    expect(outcomeOf([{ startTimer: {} }, { scheduleActivity: {} }])).toBeUndefined();
    expect(outcomeOf([])).toBeUndefined();
  });
});

describe('runs closed by the server (timed out, terminated), read from visibility by one worker per queue', () => {
  it('is read by the poller whose identity sorts first, and only by a worker the server lists as polling', () => {
    expect(ClosedByServerSampler.isPublisher('12@a', ['12@a', '7@b'])).toBe(true);
    expect(ClosedByServerSampler.isPublisher('7@b', ['12@a', '7@b'])).toBe(false);
    // Not (yet) among the queue's pollers: another worker may be reading.
    expect(ClosedByServerSampler.isPublisher('12@a', ['13@c'])).toBe(false);
    expect(ClosedByServerSampler.isPublisher('12@a', [])).toBe(false);
  });

  it('asks for this queue\'s timed-out and terminated runs closed inside the window', () => {
    expect(closedByServerQuery("it's", new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:01:00Z'))).toBe(
      "TaskQueue = 'it\\'s' AND (ExecutionStatus = 'TimedOut' OR ExecutionStatus = 'Terminated') AND CloseTime >= '2026-01-01T00:00:00.000Z' AND CloseTime < '2026-01-01T00:01:00.000Z'",
    );
  });

  it('moves its window on even when another worker reads it, so windows stay contiguous when the reader changes', async () => {
    let now = 1_000_000;
    // A worker that is not the reader never calls Temporal: the connection is not touched.
    const sampler = new ClosedByServerSampler({ connection: {} as never, namespace: 'default', taskQueue: 'q', identity: 'b', lagMs: 30_000, now: () => now });
    now += 60_000;
    await expect(sampler.sample(['a', 'b'])).resolves.toEqual([]);
    now += 10_000;
    await expect(sampler.sample(['a', 'b'])).resolves.toEqual([]);
    expect((sampler as unknown as { from: Date }).from.getTime()).toBe(now - 30_000);
  });
});

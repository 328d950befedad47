import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Context as LambdaContext } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { handler as contentWriterHandler } from '../../lambdas/content-writer/handler';
import { contentWriter } from '../../lambdas/content-writer/steps';
import type { StepDeclaration } from '../../runtime/steps/declare';
import type { DagExecutionRequest, dagExecution } from '../../workflows/machines/dag/dag-workflow';
import type { DagDefinition, DagStep } from '../../workflows/machines/dag/definition';
import { contentPipeline } from '../../workflows/machines/dag/examples/content-pipeline';
import { dagDecisionUpdate, dagProgressQuery, stopDagUpdate } from '../../workflows/machines/dag/messages';
import type { DagResult, DagStepRecord } from '../../workflows/machines/dag/state';
import { stepActivities } from '../support/step-activities';
import { createTimeSkippingEnv } from '../support/time-skipping';

/**
 * The DAG interpreter on Temporal's time-skipping test server. The interpreter is under test, so
 * its Lambda steps are in-process activities registered under the step names (a probe that waits,
 * fails or hangs as its input says), except in the content pipeline, where they run the real
 * contentWriter handler in-process. test/integration/content-pipeline.test.ts runs the pipeline on
 * the local cloud's Lambda.
 */
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
}, 300_000);

afterAll(async () => {
  await env?.teardown();
});

/** What a probe step is told to do (its input, from the step's `input` expression). */
interface Probe {
  label: string;
  delayMs?: number;
  /** Fail with this error name on attempts up to `failAttempts` (every attempt when absent). */
  fail?: string;
  failAttempts?: number;
  nonRetryable?: boolean;
  /** Heartbeat until cancelled. */
  hang?: boolean;
  words?: number;
}

class Probes {
  calls: Array<{ label: string; attempt: number }> = [];
  cancelled: string[] = [];
  running = 0;
  maxRunning = 0;
  /** Labels that fail: a test can change it between runs (the redrive). */
  failing = new Set<string>();

  async run(input: Probe): Promise<{ label: string; words?: number }> {
    const ctx = Context.current();
    this.calls.push({ label: input.label, attempt: ctx.info.attempt });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (input.hang) {
        for (;;) {
          ctx.heartbeat();
          await ctx.sleep(50);
        }
      }
      if (input.delayMs) await ctx.sleep(input.delayMs);
      const fails = input.fail !== undefined && ctx.info.attempt <= (input.failAttempts ?? Number.MAX_SAFE_INTEGER);
      if (fails || this.failing.has(input.label)) {
        throw ApplicationFailure.create({ type: input.fail ?? 'ProbeFailed', message: `${input.label} failed on attempt ${ctx.info.attempt}`, nonRetryable: input.nonRetryable ?? false });
      }
      return { label: input.label, ...(input.words !== undefined ? { words: input.words } : {}) };
    } catch (err) {
      if (ctx.cancellationSignal.aborted) this.cancelled.push(input.label);
      throw err;
    } finally {
      this.running--;
    }
  }

  activities() {
    return stepActivities([contentWriter], (_step: StepDeclaration, input: unknown) => this.run(input as Probe));
  }
}

/** A probe step: runs writeSummary (any declared step name; the probe answers them all) with this probe as input. */
const probe = (id: string, p: Omit<Probe, 'label'> = {}, extra: Partial<DagStep> = {}): DagStep => ({
  id,
  run: { type: 'lambda', step: 'writeSummary' },
  input: JSON.stringify({ label: id, ...p }),
  retry: { maximumAttempts: 1 },
  ...extra,
});

async function withWorker<T>(activities: Record<string, (input: unknown) => Promise<unknown>>, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `dag-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./fixtures/dag-workflows'),
    activities,
    // Heartbeats reach the server at once, so a cancelled step hears of it within a heartbeat.
    defaultHeartbeatThrottleInterval: '50 milliseconds',
    maxHeartbeatThrottleInterval: '50 milliseconds',
  });
  return worker.runUntil(fn(taskQueue));
}

/** Workflows a test started; any still running after it are terminated, since time skipping is global to the server. */
const started: string[] = [];

afterEach(async () => {
  for (const workflowId of started.splice(0)) {
    const handle = env.client.workflow.getHandle(workflowId);
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('the test ended');
  }
});

async function start(taskQueue: string, request: DagExecutionRequest) {
  const workflowId = `dag-${randomUUID()}`;
  started.push(workflowId);
  return env.client.workflow.start<typeof dagExecution>('dagExecution', { taskQueue, workflowId, args: [request] });
}

const run = (taskQueue: string, request: DagExecutionRequest): Promise<DagResult> => start(taskQueue, request).then((h) => h.result());

const dagOf = (steps: DagStep[], extra: Partial<DagDefinition> = {}): DagDefinition => ({ kind: 'dag', steps, ...extra });

const byId = (result: { steps: DagStepRecord[] }) => Object.fromEntries(result.steps.map((s) => [s.id, s]));

/** The run's history replays against the workflow code: the interpreter made the same decisions again. */
async function expectReplays(workflowId: string): Promise<void> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  await expect(Worker.runReplayHistory({ workflowsPath: require.resolve('./fixtures/dag-workflows') }, history, workflowId)).resolves.toBeUndefined();
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

describe('runDag: scheduling', () => {
  it('starts steps as soon as their dependencies are done, in parallel up to maxConcurrency', async () => {
    const probes = new Probes();
    const fanOut = (max: number) =>
      dagOf([probe('root'), ...['b1', 'b2', 'b3', 'b4', 'b5'].map((id) => probe(id, { delayMs: 300 }, { dependsOn: ['root'] })), probe('join', {}, { dependsOn: ['b1', 'b2', 'b3', 'b4', 'b5'] })], { maxConcurrency: max });

    const limited = await withWorker(probes.activities(), async (tq) => {
      const handle = await start(tq, { definition: fanOut(2) });
      const done = await handle.result();
      await expectReplays(handle.workflowId);
      return done;
    });
    expect(limited.status).toBe('SUCCEEDED');
    expect(probes.maxRunning).toBe(2);
    const steps = byId(limited);
    for (const id of ['b1', 'b2', 'b3', 'b4', 'b5']) expect(steps[id]!.startedAt! >= steps.root!.endedAt!).toBe(true);
    expect(steps.join!.startedAt! >= [...['b1', 'b2', 'b3', 'b4', 'b5'].map((id) => steps[id]!.endedAt!)].sort().at(-1)!).toBe(true);
    expect(limited.output).toEqual({ root: { label: 'root' }, b1: { label: 'b1' }, b2: { label: 'b2' }, b3: { label: 'b3' }, b4: { label: 'b4' }, b5: { label: 'b5' }, join: { label: 'join' } });

    probes.maxRunning = 0;
    const wide = await withWorker(probes.activities(), (tq) => run(tq, { definition: fanOut(10) }));
    expect(wide.status).toBe('SUCCEEDED');
    expect(probes.maxRunning).toBe(5);
  });

  it('runs a child workflow step with its mapped input, and computes the output expression', async () => {
    const probes = new Probes();
    const definition = dagOf(
      [probe('first', { words: 3 }), { id: 'shout', dependsOn: ['first'], run: { type: 'workflow', workflow: 'shoutText' }, input: '{ "text": input.greeting & " x" & $string(steps.first.output.words) }' }],
      { output: '{ "shouted": steps.shout.output.text, "words": steps.first.output.words }' },
    );
    const result = await withWorker(probes.activities(), (tq) => run(tq, { definition, input: { greeting: 'hello' } }));
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { shouted: 'HELLO X3', words: 3 } });
  });

  it('when: a step runs only if its condition over what has run holds; dependents follow their policy', async () => {
    const probes = new Probes();
    const definition = dagOf([
      probe('draft', { words: 600 }),
      probe('longCheck', {}, { dependsOn: ['draft'], when: 'steps.draft.output.words > 500' }),
      probe('shortCheck', {}, { dependsOn: ['draft'], when: 'steps.draft.output.words < 100' }),
      probe('afterShort', {}, { dependsOn: ['shortCheck'] }),
      probe('eitherWay', {}, { dependsOn: ['longCheck', 'shortCheck'], requires: 'noneFailed' }),
      probe('broken', { fail: 'Boom', nonRetryable: true }, { dependsOn: ['draft'] }),
      probe('afterBroken', {}, { dependsOn: ['broken', 'shortCheck'], requires: 'noneFailed' }),
      probe('flaky', { fail: 'Flaky', failAttempts: 1 }, { retry: { maximumAttempts: 2, initialIntervalSeconds: 1 } }),
    ]);
    const result = await withWorker(probes.activities(), (tq) => run(tq, { definition }));
    const steps = byId(result);
    expect(Object.fromEntries(result.steps.map((s) => [s.id, [s.status, s.skipReason ?? null]]))).toEqual({
      draft: ['SUCCEEDED', null],
      longCheck: ['SUCCEEDED', null],
      shortCheck: ['SKIPPED', 'condition'],
      afterShort: ['SKIPPED', 'dependencies'],
      eitherWay: ['SUCCEEDED', null],
      broken: ['FAILED', null],
      afterBroken: ['SKIPPED', 'upstreamFailed'],
      flaky: ['SUCCEEDED', null],
    });
    expect(steps.broken).toMatchObject({ error: 'Boom', cause: 'broken failed on attempt 1' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'step "broken" failed: broken failed on attempt 1' });
    expect(result.output).toBeUndefined();
    // Skipped steps never ran; the non-retryable failure ran once, the flaky step twice.
    expect(probes.calls.map((c) => `${c.label}#${c.attempt}`).sort()).toEqual(['broken#1', 'draft#1', 'eitherWay#1', 'flaky#1', 'flaky#2', 'longCheck#1']);
  });

  it('a condition or input that fails to evaluate fails its step with DagExpressionError', async () => {
    const probes = new Probes();
    const definition = dagOf([probe('a', { words: 1 }), probe('b', {}, { dependsOn: ['a'], when: 'steps.a.output.words' })]);
    const result = await withWorker(probes.activities(), (tq) => run(tq, { definition }));
    expect(byId(result).b).toMatchObject({ status: 'FAILED', error: 'DagExpressionError', cause: 'when: the condition must evaluate to true or false, not 1' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'DagExpressionError' });
  });

  it('an invalid definition fails the workflow at once with every problem', async () => {
    const probes = new Probes();
    const failure = await withWorker(probes.activities(), (tq) => run(tq, { definition: dagOf([probe('a', {}, { dependsOn: ['b'] }), probe('b', {}, { dependsOn: ['a'] })]) }).catch((e: unknown) => e));
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidDagDefinition', nonRetryable: true, message: expect.stringContaining('form a cycle') });
    expect(probes.calls).toEqual([]);
  });
});

describe('runDag: timeout, stop, redrive', () => {
  it("the run's timeout cancels the steps in flight (the Lambda step hears it through its heartbeat) and records where it stopped", async () => {
    const probes = new Probes();
    const definition = dagOf([probe('quick'), probe('slow', { hang: true }, { dependsOn: ['quick'] }), probe('after', {}, { dependsOn: ['slow'] })], { timeoutSeconds: 2 });
    const result = await withWorker(probes.activities(), (tq) => run(tq, { definition }));
    // The run ended only once the step had heard of the cancellation.
    expect(probes.cancelled).toEqual(['slow']);
    expect(result).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', cause: "the run's timeout of 2 s elapsed; 1 step succeeded; cancelled in flight: slow; not started: after" });
    expect(Object.fromEntries(result.steps.map((s) => [s.id, s.status]))).toEqual({ quick: 'SUCCEEDED', slow: 'CANCELLED', after: 'PENDING' });
    expect(byId(result).slow!.endedAt).toBeDefined();
  });

  it('a stop request cancels the steps in flight and ends the run ABORTED', async () => {
    const probes = new Probes();
    const definition = dagOf([probe('one', { hang: true }), probe('two', { hang: true }), probe('three', {}, { dependsOn: ['one'] })]);
    const { result, workflowId } = await withWorker(probes.activities(), async (tq) => {
      const handle = await start(tq, { definition });
      await waitFor('both steps running', () => handle.query(dagProgressQuery), (p) => p.steps.filter((s) => s.status === 'RUNNING').length === 2);
      await expect(handle.executeUpdate(stopDagUpdate, { args: [{ reason: 'operator asked' }] })).resolves.toEqual({ stopping: true, alreadyStopping: false });
      return { result: await handle.result(), workflowId: handle.workflowId };
    });
    await expectReplays(workflowId);
    expect(result).toMatchObject({ status: 'ABORTED', error: 'DagStopped', cause: 'stopped: operator asked; 0 steps succeeded; cancelled in flight: one, two; not started: three' });
    expect(probes.cancelled.sort()).toEqual(['one', 'two']);
  });

  it("cancelling the workflow through Temporal is a stop: the run completes ABORTED with where it stopped", async () => {
    const probes = new Probes();
    const definition = dagOf([probe('one', { hang: true }), probe('two', {}, { dependsOn: ['one'] })]);
    const { result, status } = await withWorker(probes.activities(), async (tq) => {
      const handle = await start(tq, { definition });
      await waitFor('the step running', () => handle.query(dagProgressQuery), (p) => p.steps.some((s) => s.status === 'RUNNING'));
      await handle.cancel();
      const r = await handle.result();
      return { result: r, status: (await handle.describe()).status.name };
    });
    expect(result).toMatchObject({ status: 'ABORTED', error: 'DagStopped', cause: 'the workflow was cancelled; 0 steps succeeded; cancelled in flight: one; not started: two' });
    expect(status).toBe('COMPLETED');
    expect(probes.cancelled).toEqual(['one']);
  });

  it('redrive: completed steps keep their outputs and do not run again; the failed step and its dependents run', async () => {
    const probes = new Probes();
    const definition = dagOf([probe('a', { words: 7 }), probe('b', {}, { dependsOn: ['a'] }), probe('c', {}, { dependsOn: ['b'], input: '{ "label": "c", "words": steps.a.output.words }' }), probe('d', {}, { dependsOn: ['a'] })]);
    probes.failing.add('b');
    const first = await withWorker(probes.activities(), (tq) => run(tq, { definition }));
    expect(first.status).toBe('FAILED');
    expect(Object.fromEntries(first.steps.map((s) => [s.id, s.status]))).toEqual({ a: 'SUCCEEDED', b: 'FAILED', c: 'SKIPPED', d: 'SUCCEEDED' });

    probes.failing.clear();
    probes.calls = [];
    const second = await withWorker(probes.activities(), (tq) => run(tq, { definition, previous: first.steps }));
    expect(second.status).toBe('SUCCEEDED');
    expect(probes.calls.map((c) => c.label)).toEqual(['b', 'c']);
    expect(byId(second).a).toEqual({ ...byId(first).a, reused: true });
    expect(byId(second).d!.reused).toBe(true);
    // c read a's output, kept from the first run.
    expect(byId(second).c!.output).toEqual({ label: 'c', words: 7 });
  });

  it('redrive of a stopped run runs the cancelled and never-started steps', async () => {
    const probes = new Probes();
    const hanging = dagOf([probe('a'), probe('b', { hang: true }, { dependsOn: ['a'] }), probe('c', {}, { dependsOn: ['b'] })], { timeoutSeconds: 2 });
    const first = await withWorker(probes.activities(), (tq) => run(tq, { definition: hanging }));
    expect(first.status).toBe('TIMED_OUT');
    probes.calls = [];
    const fixed = dagOf([probe('a'), probe('b', {}, { dependsOn: ['a'] }), probe('c', {}, { dependsOn: ['b'] })]);
    const second = await withWorker(probes.activities(), (tq) => run(tq, { definition: fixed, previous: first.steps }));
    expect(second.status).toBe('SUCCEEDED');
    expect(probes.calls.map((c) => c.label)).toEqual(['b', 'c']);
  });
});

describe('the content pipeline (the contentWriter handler in-process)', () => {
  const lambdaContext = { awsRequestId: 'in-process' } as LambdaContext;
  const writerActivities = () =>
    stepActivities([contentWriter], (step, input) => {
      const meta = { workflowId: 'wf', runId: 'run', activityId: '1', attempt: 1, idempotencyKey: 'k', step: step.name };
      return contentWriterHandler({ input, meta }, lambdaContext);
    });
  const brief = (targetWords: number) => ({ brief: { topic: 'remote onboarding', audience: 'engineering managers', keyPoints: ['a buddy for the first month', 'written setup guides', 'small first tasks'], targetWords } });

  beforeEach(() => jest.spyOn(process.stdout, 'write').mockImplementation(() => true));
  afterEach(() => jest.restoreAllMocks());

  it('a long draft: writes in parallel, checks quality, waits for the approval and reports tokens and cost', async () => {
    const result = await withWorker(writerActivities(), async (tq) => {
      const handle = await start(tq, { definition: contentPipeline, input: brief(600) });
      const waiting = await waitFor('the approval', () => handle.query(dagProgressQuery), (p) => p.steps.some((s) => s.id === 'approval' && s.status === 'RUNNING'));
      expect(waiting.steps.find((s) => s.id === 'approval')!.input).toMatchObject({ socialPost: expect.any(String), summary: expect.any(String), quality: { passed: expect.any(Boolean) } });
      const refused = await handle.executeUpdate(dagDecisionUpdate, { args: [{ requestId: 'r0', stepId: 'summary', approved: true }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause?.message).toBe('step "summary" is not waiting for a decision');
      await expect(handle.executeUpdate(dagDecisionUpdate, { args: [{ requestId: 'r1', stepId: 'approval', approved: true, by: 'grace' }] })).resolves.toEqual({ stepId: 'approval', approved: true, duplicate: false });
      const done = await handle.result();
      await expectReplays(handle.workflowId);
      return done;
    });
    expect(result.status).toBe('SUCCEEDED');
    const steps = byId(result);
    expect(Object.fromEntries(result.steps.map((s) => [s.id, s.status]))).toEqual({ draft: 'SUCCEEDED', socialPost: 'SUCCEEDED', email: 'SUCCEEDED', summary: 'SUCCEEDED', qualityCheck: 'SUCCEEDED', approval: 'SUCCEEDED' });
    const written = ['draft', 'socialPost', 'email', 'summary', 'qualityCheck'].map((id) => steps[id]!.output as { usage: { inputTokens: number; outputTokens: number }; cost: { amount: number } });
    expect(result.output).toMatchObject({
      approvedBy: 'grace',
      email: { subject: 'Remote onboarding' },
      tokens: written.reduce((n, w) => n + w.usage.inputTokens + w.usage.outputTokens, 0),
      cost: Math.round(written.reduce((n, w) => n + w.cost.amount, 0) * 1e9) / 1e9,
    });
    // The three writers started together, once the draft was done.
    expect(new Set(['socialPost', 'email', 'summary'].map((id) => steps[id]!.startedAt)).size).toBe(1);
    expect(steps.socialPost!.startedAt! >= steps.draft!.endedAt!).toBe(true);
  });

  it('stopped while waiting for its approval, the redrive runs only the approval', async () => {
    const calls: string[] = [];
    const activities = stepActivities([contentWriter], (step, input) => {
      calls.push(step.name);
      return contentWriterHandler({ input, meta: { workflowId: 'wf', runId: 'run', activityId: '1', attempt: 1, idempotencyKey: 'k', step: step.name } }, lambdaContext);
    });
    const { stopped, redriven } = await withWorker(activities, async (tq) => {
      const first = await start(tq, { definition: contentPipeline, input: brief(150) });
      await waitFor('the approval', () => first.query(dagProgressQuery), (p) => p.steps.some((s) => s.id === 'approval' && s.status === 'RUNNING'));
      await first.executeUpdate(stopDagUpdate, { args: [{ reason: 'editor away' }] });
      const stoppedRun = await first.result();
      calls.length = 0;
      const second = await start(tq, { definition: contentPipeline, input: brief(150), previous: stoppedRun.steps });
      await waitFor('the approval again', () => second.query(dagProgressQuery), (p) => p.steps.some((s) => s.id === 'approval' && s.status === 'RUNNING'));
      await second.executeUpdate(dagDecisionUpdate, { args: [{ requestId: 'r2', stepId: 'approval', approved: true, by: 'ada' }] });
      return { stopped: stoppedRun, redriven: await second.result() };
    });
    expect(stopped).toMatchObject({ status: 'ABORTED', cause: 'stopped: editor away; 4 steps succeeded; cancelled in flight: approval; not started: none' });
    expect(redriven.status).toBe('SUCCEEDED');
    expect(calls).toEqual([]);
    expect(redriven.steps.filter((s) => s.reused).map((s) => s.id)).toEqual(['draft', 'socialPost', 'email', 'summary', 'qualityCheck']);
    expect(redriven.output).toMatchObject({ approvedBy: 'ada', draft: (byId(stopped).draft!.output as { text: string }).text });
  });

  it('a short draft skips the quality check; an approval that never comes fails the run after its timeout', async () => {
    const result = await withWorker(writerActivities(), (tq) => run(tq, { definition: contentPipeline, input: brief(120) }));
    expect(Object.fromEntries(result.steps.map((s) => [s.id, s.status]))).toEqual({ draft: 'SUCCEEDED', socialPost: 'SUCCEEDED', email: 'SUCCEEDED', summary: 'SUCCEEDED', qualityCheck: 'SKIPPED', approval: 'FAILED' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'DecisionTimedOut', cause: 'step "approval" failed: no decision within 86400 s' });
    expect(byId(result).approval!.durationMs).toBeGreaterThanOrEqual(86_400_000);
    expect(byId(result).approval!.durationMs).toBeLessThan(86_400_000 + 60_000);
  });
});

import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fnv1a32 } from '../../workflows/training/defaults';
import { decisionSignal, decisionUpdate, trainingStateQuery } from '../../workflows/training/messages';
import type { TrainingRequest, TrainingState } from '../../workflows/training/types';
import type { trainingWorkflow } from '../../workflows/training/workflow';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { fakeTrainingCloud, type FakeTrainingCloud } from './fixtures/training-activities';

/**
 * The training workflow's waits, decisions, continue-as-new and resume, on the time-skipping
 * server. Activities run in-process on the real model code (fixtures/training-activities.ts);
 * test/integration/training-e2e.test.ts proves the same behaviour against the deployed stack.
 */
describe('training workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/training/workflow'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  }, 300_000);

  afterAll(async () => {
    await env?.teardown();
  });

  const base = (over: Partial<TrainingRequest> = {}): TrainingRequest => ({
    trainingId: `t-${randomUUID()}`,
    modelId: `m-${randomUUID()}`,
    dataset: { samplesPerClass: 60 },
    epochs: 4,
    hiddenUnits: 4,
    hyperparameters: { learningRate: 0.05, batchSize: 16 },
    seed: 0,
    checkpointEvery: 2,
    ...over,
  });

  async function withWorker<T>(cloud: FakeTrainingCloud, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `training-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: cloud.activities });
    return worker.runUntil(fn(taskQueue));
  }

  const start = (taskQueue: string, request: TrainingRequest) =>
    env.client.workflow.start<typeof trainingWorkflow>('trainingWorkflow', { taskQueue, workflowId: `training-${request.trainingId}`, args: [request] });

  async function untilAwaiting(handle: WorkflowHandle, epoch: number): Promise<TrainingState> {
    // Polled gently: on a loaded machine the test server can hold a query across continue-as-new for a while.
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const s = await handle.query(trainingStateQuery);
      if (s.status === 'AWAITING_DECISION' && s.review?.epoch === epoch) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`never reached the review after epoch ${epoch}`);
  }

  it('trains to the end: loss falls, checkpoints every N epochs and at the end, audit events in order', async () => {
    const cloud = fakeTrainingCloud();
    const request = base({ epochs: 5 });
    const [result, state] = await withWorker(cloud, async (tq) => {
      const handle = await start(tq, request);
      return [await handle.result(), await handle.query(trainingStateQuery)] as const;
    });
    expect(result.status).toBe('COMPLETED');
    expect(result.epochs).toBe(5);
    expect(state.losses.map((l) => l.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(state.losses[4]!.loss).toBeLessThan(state.losses[0]!.loss);
    expect(result.finalLoss).toBe(state.losses[4]!.loss);
    expect(state.evaluations.map((e) => e.epoch)).toEqual([2, 4, 5]);
    expect(result.checkpoints.map((c) => c.epoch)).toEqual([2, 4, 5]);
    expect(result.accuracy!).toBeGreaterThan(0.8);
    // One naming scheme (workflows/lib/audit.ts): start, each step by its input and output digests, checkpoints, the end.
    const epoch = (n: number) => ({ type: 'training.step-completed', step: 'trainEpoch', epoch: n });
    const evaluation = (n: number) => ({ type: 'training.step-completed', step: 'evaluateModel', epoch: n });
    const checkpoint = (n: number) => ({ type: 'training.checkpoint-saved', step: 'saveTrainingCheckpoint', epoch: n, sampleMerkleRoot: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const expected: Array<Record<string, unknown>> = [
      { type: 'training.started' },
      { type: 'training.step-completed', step: 'prepareDataset' },
      ...[1, 2, 3, 4, 5].flatMap((n) => (n % 2 === 0 || n === 5 ? [epoch(n), evaluation(n), checkpoint(n)] : [epoch(n)])),
      { type: 'training.completed' },
    ];
    expect(cloud.audit).toHaveLength(expected.length);
    for (const [i, e] of expected.entries()) expect(cloud.audit[i]).toMatchObject(e);
  });

  it('uses seed 0 when asked, and FNV-1a-32 of the workflow id when no seed is given', async () => {
    const cloud = fakeTrainingCloud();
    const withZero = base({ epochs: 1 });
    const noSeed = base({ epochs: 1, seed: undefined });
    await withWorker(cloud, async (tq) => {
      await (await start(tq, withZero)).result();
      await (await start(tq, noSeed)).result();
    });
    expect(cloud.epochCalls.map((c) => c.seed)).toEqual([0, fnv1a32(`training-${noSeed.trainingId}`)]);
  });

  it('refuses an invalid request from a client that bypasses the API', async () => {
    const cloud = fakeTrainingCloud();
    const err = await withWorker(cloud, async (tq) => (await start(tq, base({ hyperparameters: undefined }))).result().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidTrainingInput', message: expect.stringMatching(/hyperparameters are required/) });
    expect(cloud.epochCalls).toHaveLength(0);
  });

  it.each(['continue', 'stop'] as const)('a review that times out takes the default action (%s)', async (action) => {
    const cloud = fakeTrainingCloud();
    const request = base({ epochs: 4, reviewEvery: 2, reviewTimeout: '24h', reviewTimeoutAction: action, checkpointEvery: 3 });
    const started = await env.currentTimeMs();
    const result = await withWorker(cloud, async (tq) => (await start(tq, request)).result());
    expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    expect(result.decisions).toEqual([expect.objectContaining({ epoch: 2, action, source: 'timeout', requestId: null })]);
    if (action === 'stop') {
      expect(result).toMatchObject({ status: 'STOPPED', epochs: 2 });
      // stopping saves the state it stopped at, even off the checkpoint schedule
      expect(result.checkpoints.map((c) => c.epoch)).toEqual([2]);
    } else {
      expect(result).toMatchObject({ status: 'COMPLETED', epochs: 4 });
      expect(result.checkpoints.map((c) => c.epoch)).toEqual([3, 4]);
    }
    expect(cloud.audit.filter((e) => e.type === 'training.decision-taken')).toEqual([expect.objectContaining({ gate: 'review', action, source: 'timeout', epoch: 2 })]);
    expect(cloud.audit.filter((e) => e.type === 'training.decision-requested')).toEqual([expect.objectContaining({ gate: 'review', epoch: 2 })]);
    expect(cloud.audit.at(-1)).toMatchObject({ type: action === 'stop' ? 'training.stopped' : 'training.completed' });
  });

  it('continue: the researcher decides, training goes on unchanged', async () => {
    const cloud = fakeTrainingCloud();
    const request = base({ epochs: 3, reviewEvery: 1 });
    const result = await withWorker(cloud, async (tq) => {
      const handle = await start(tq, request);
      await untilAwaiting(handle, 1);
      const r1 = await handle.executeUpdate(decisionUpdate, { args: [{ action: 'continue', requestId: 'a', reason: 'looks fine' }] });
      expect(r1).toMatchObject({ accepted: true, duplicate: false, decision: { action: 'continue', epoch: 1, source: 'researcher', reason: 'looks fine' } });
      await untilAwaiting(handle, 2);
      // a client on Temporal directly can decide by signal
      await handle.signal(decisionSignal, { action: 'continue', requestId: 'b' });
      return handle.result();
    });
    expect(result.status).toBe('COMPLETED');
    expect(result.decisions.map((d) => [d.epoch, d.action, d.source, d.requestId])).toEqual([
      [1, 'continue', 'researcher', 'a'],
      [2, 'continue', 'researcher', 'b'],
    ]);
  });

  it('adjust: new hyperparameters apply from the next epoch and are recorded', async () => {
    const cloud = fakeTrainingCloud();
    const request = base({ epochs: 4, reviewEvery: 2 });
    const result = await withWorker(cloud, async (tq) => {
      const handle = await start(tq, request);
      await untilAwaiting(handle, 2);
      const r = await handle.executeUpdate(decisionUpdate, { args: [{ action: 'adjust', hyperparameters: { learningRate: 0.01, batchSize: 8 }, requestId: 'adj-1' }] });
      expect(r.decision).toMatchObject({ action: 'adjust', appliedFromEpoch: 3, hyperparameters: { learningRate: 0.01, batchSize: 8, momentum: 0.9, l2: 0 } });
      return handle.result();
    });
    expect(cloud.epochCalls.map((c) => [c.epoch, c.hyperparameters.learningRate, c.hyperparameters.batchSize])).toEqual([
      [1, 0.05, 16],
      [2, 0.05, 16],
      [3, 0.01, 8],
      [4, 0.01, 8],
    ]);
    expect(result.decisions[0]).toMatchObject({ action: 'adjust', appliedFromEpoch: 3 });
    expect(cloud.audit.find((e) => e.type === 'training.decision-taken')).toMatchObject({ action: 'adjust', appliedFromEpoch: 3, hyperparameters: { learningRate: 0.01 } });
  });

  it('stop: ends early as STOPPED with a checkpoint at the stop', async () => {
    const cloud = fakeTrainingCloud();
    const request = base({ epochs: 6, reviewEvery: 3, checkpointEvery: 4 });
    const result = await withWorker(cloud, async (tq) => {
      const handle = await start(tq, request);
      await untilAwaiting(handle, 3);
      await handle.executeUpdate(decisionUpdate, { args: [{ action: 'stop', reason: 'good enough', requestId: 's' }] });
      return handle.result();
    });
    expect(result).toMatchObject({ status: 'STOPPED', epochs: 3 });
    expect(cloud.epochCalls).toHaveLength(3);
    expect(result.checkpoints.map((c) => c.epoch)).toEqual([3]);
  });

  it('a repeated decision is answered duplicate and changes nothing; an invalid one is rejected with a reason', async () => {
    const cloud = fakeTrainingCloud();
    const request = base({ epochs: 3, reviewEvery: 1 });
    await withWorker(cloud, async (tq) => {
      const handle = await start(tq, request);
      await untilAwaiting(handle, 1);
      await expect(handle.executeUpdate(decisionUpdate, { args: [{ action: 'adjust', requestId: 'x' }] })).rejects.toThrow(WorkflowUpdateFailedError);
      await expect(handle.executeUpdate(decisionUpdate, { args: [{ action: 'adjust', hyperparameters: { learningRate: -1 }, requestId: 'x' }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/learningRate/) },
      });
      const first = await handle.executeUpdate(decisionUpdate, { args: [{ action: 'adjust', hyperparameters: { learningRate: 0.02 }, requestId: 'same' }] });
      const again = await handle.executeUpdate(decisionUpdate, { args: [{ action: 'adjust', hyperparameters: { learningRate: 0.02 }, requestId: 'same' }] });
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ ...first, duplicate: true });
      await untilAwaiting(handle, 2);
      // still a duplicate later on, not a second adjustment
      expect((await handle.executeUpdate(decisionUpdate, { args: [{ action: 'stop', requestId: 'same' }] })).duplicate).toBe(true);
      const s = await handle.query(trainingStateQuery);
      expect(s.decisions).toHaveLength(1);
      await handle.executeUpdate(decisionUpdate, { args: [{ action: 'continue', requestId: 'next' }] });
      await handle.result();
      // closed: nothing to decide
      await expect(handle.executeUpdate(decisionUpdate, { args: [{ action: 'continue', requestId: 'late' }] })).rejects.toThrow();
    });
  });

  it('a decision while an epoch runs (not at a review) is rejected by the validator with the reason', async () => {
    const cloud = fakeTrainingCloud();
    const release = cloud.holdEpoch(2);
    const request = base({ epochs: 3, reviewEvery: 2 });
    await withWorker(cloud, async (tq) => {
      const handle = await start(tq, request);
      while (!cloud.epochCalls.some((c) => c.epoch === 2)) await new Promise((r) => setTimeout(r, 20));
      const err = await handle.executeUpdate(decisionUpdate, { args: [{ action: 'stop', requestId: 'early' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((err as WorkflowUpdateFailedError).cause?.message).toBe(`training "${request.trainingId}" is not awaiting a decision (status TRAINING, epoch 1 of 3)`);
      release();
      await untilAwaiting(handle, 2);
      await handle.executeUpdate(decisionUpdate, { args: [{ action: 'continue', requestId: 'one' }] });
      // the review has its decision; a second, different one is refused
      await expect(handle.executeUpdate(decisionUpdate, { args: [{ action: 'stop', requestId: 'two' }] })).rejects.toThrow(WorkflowUpdateFailedError);
      expect((await handle.result()).status).toBe('COMPLETED');
    });
  });

  it('continues as new every maxEpochsPerRun epochs; the query and the processed request ids carry over', async () => {
    const cloud = fakeTrainingCloud();
    const request = base({ epochs: 6, reviewEvery: 2, maxEpochsPerRun: 2, checkpointEvery: 3 });
    await withWorker(cloud, async (tq) => {
      const handle = await start(tq, request);
      const firstRunId = handle.firstExecutionRunId;
      await untilAwaiting(handle, 2);
      await handle.executeUpdate(decisionUpdate, { args: [{ action: 'continue', requestId: 'r1' }] });
      // the handle (no run id) follows the chain to the run after continue-as-new
      const s4 = await untilAwaiting(handle, 4);
      expect(s4.run).toBe(2);
      expect(s4.losses.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
      expect((await env.client.workflow.getHandle(handle.workflowId, firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
      expect((await handle.executeUpdate(decisionUpdate, { args: [{ action: 'continue', requestId: 'r1' }] })).duplicate).toBe(true);
      await handle.executeUpdate(decisionUpdate, { args: [{ action: 'continue', requestId: 'r2' }] });
      const result = await handle.result();
      expect(result.epochs).toBe(6);
      const final = await handle.query(trainingStateQuery);
      expect(final).toMatchObject({ status: 'COMPLETED', epoch: 6, run: 3 });
      expect(final.losses).toHaveLength(6);
      expect(final.checkpoints.map((c) => c.epoch)).toEqual([3, 6]);
      expect(final.decisions.map((d) => d.requestId)).toEqual(['r1', 'r2']);
    });
    expect(cloud.epochCalls.map((c) => c.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    // the state passed across runs: epoch 3 continued from epoch 2's weights
    expect(cloud.epochCalls[2]!.state).not.toBeNull();
  }, 300_000);

  it('a failing epoch fails the training after its retries; resuming from the latest checkpoint ends bit-identical to a straight run', async () => {
    const cloud = fakeTrainingCloud();
    const straight = base({ epochs: 5, checkpointEvery: 2 });
    const crashing = base({ epochs: 5, checkpointEvery: 2, failAtEpoch: 4, seed: 0 });
    await withWorker(cloud, async (tq) => {
      const s = await (await start(tq, straight)).result();
      const crash = await start(tq, crashing);
      const err = await crash.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(cloud.epochCalls.filter((c) => c.trainingId === crashing.trainingId && c.epoch === 4)).toHaveLength(3);
      expect(cloud.audit.filter((e) => e.type === 'training.failed')).toHaveLength(1);
      const { failAtEpoch: _f, seed: _s, hyperparameters: _h, ...rest } = crashing;
      const resumed = await (await start(tq, { ...rest, trainingId: `r-${randomUUID()}`, resumeFrom: 'latest' })).result();
      expect(resumed.resumedFrom).toMatchObject({ epoch: 2 });
      expect(resumed.weightsSha256).toBe(s.weightsSha256);
      expect(resumed.epochs).toBe(5);
    });
  });
});

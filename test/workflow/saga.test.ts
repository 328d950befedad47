import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTimeSkippingEnv } from '../support/time-skipping';
import type { SagaPlan, SagaRun, sagaWorkflow } from './fixtures/saga-workflow';

/** workflows/lib/saga.ts on its own, through a tiny workflow (test/workflow/fixtures/saga-workflow.ts). */
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
}, 300_000);

afterAll(async () => {
  await env?.teardown();
});

async function run(plan: SagaPlan, opts: { failUndo?: string[]; cancelAfterSteps?: boolean } = {}): Promise<{ calls: string[]; result?: SagaRun; error?: unknown }> {
  const calls: string[] = [];
  const taskQueue = `saga-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./fixtures/saga-workflow'),
    activities: {
      doStep: (name: string) => {
        calls.push(`do:${name}`);
        return Promise.resolve(name);
      },
      undoStep: (name: string) => {
        calls.push(`undo:${name}`);
        if (opts.failUndo?.includes(name)) return Promise.reject(ApplicationFailure.nonRetryable(`cannot undo ${name}`, 'UndoFailed'));
        return Promise.resolve(`undone ${name}`);
      },
    },
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof sagaWorkflow>('sagaWorkflow', { taskQueue, workflowId: `saga-${randomUUID()}`, args: [plan] });
    if (opts.cancelAfterSteps) {
      while (calls.filter((c) => c.startsWith('do:')).length < plan.steps.length) await sleep(20);
      await sleep(200);
      await handle.cancel();
    }
    try {
      return { calls, result: await handle.result() };
    } catch (error) {
      return { calls, error };
    }
  });
}

describe('Saga (workflows/lib/saga.ts)', () => {
  it('runs nothing when every step succeeds', async () => {
    const { calls, result } = await run({ steps: ['a', 'b', 'c'] });
    expect(result?.outcome).toBe('completed');
    expect(calls).toEqual(['do:a', 'do:b', 'do:c']);
  });

  it('compensates the steps that succeeded, newest first, each once; the failed step is not compensated; a second compensate() is a no-op', async () => {
    const { calls, result } = await run({ steps: ['a', 'b', 'c', 'd'], failAt: 'c' });
    expect(calls).toEqual(['do:a', 'do:b', 'undo:b', 'undo:a']);
    expect(result?.outcome).toBe('compensated');
    expect(result?.outcomes).toEqual([
      { name: 'b', ok: true, result: 'undone b' },
      { name: 'a', ok: true, result: 'undone a' },
    ]);
    expect(result?.second).toEqual([]);
    expect(result?.events.map((e) => `${e.type}:${e.name}`)).toEqual(['started:b', 'completed:b', 'started:a', 'completed:a']);
  });

  it('never swallows a failed compensation: reports it, still runs the others, then throws CompensationFailed', async () => {
    const { calls, result } = await run({ steps: ['a', 'b', 'c'], failAt: 'c' }, { failUndo: ['b'] });
    expect(calls).toEqual(['do:a', 'do:b', 'undo:b', 'undo:a']);
    expect(result?.outcome).toBe('compensation-failed');
    expect(result?.error).toMatch(/^CompensationFailed: compensation failed: b: /);
    expect(result?.events.map((e) => `${e.type}:${e.name}`)).toEqual(['started:b', 'failed:b', 'started:a', 'completed:a']);
  });

  it('runs to completion inside a non-cancellable scope when the workflow is cancelled, then ends CANCELLED', async () => {
    const { calls, error } = await run({ steps: ['a', 'b'], waitMs: 60 * 60_000 }, { cancelAfterSteps: true });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(calls).toEqual(['do:a', 'do:b', 'undo:b', 'undo:a', 'do:cancelled-after:b,a']);
  });
});

import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { TextStatsInput, TextStatsResult } from '../../lambdas/text-stats/steps';
import { LOCAL_STEPS_PATCH } from '../../runtime/steps/workflow';
import { createTimeSkippingEnv } from '../support/time-skipping';
import type { twoTextStatsSteps } from './fixtures/local-steps-workflow';

/**
 * `step(decl, { local: true })`: the step runs as a local activity of the step's name, and a
 * history recorded before the call site was marked local still replays (the patch guard).
 * The activity here counts words itself; what is under test is how the workflow schedules it.
 */
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
}, 300_000);

afterAll(async () => {
  await env?.teardown();
});

/** The ids of the patches a history's markers record. */
function patchesOf(history: Awaited<ReturnType<ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>['fetchHistory']>>): string[] {
  return (history.events ?? [])
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .map((m) => (JSON.parse(Buffer.from(m!.details!['patch-data']!.payloads![0]!.data!).toString('utf8')) as { id: string }).id);
}

async function run(fixture: 'local-steps-workflow' | 'local-steps-before'): Promise<{ words: number; calls: Array<{ type: string; isLocal: boolean }>; workflowId: string }> {
  const calls: Array<{ type: string; isLocal: boolean }> = [];
  const taskQueue = `local-steps-${randomUUID()}`;
  const workflowId = `local-steps-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve(`./fixtures/${fixture}`),
    activities: {
      computeTextStats: (input: TextStatsInput): Promise<Partial<TextStatsResult>> => {
        const { activityType, isLocal } = Context.current().info;
        calls.push({ type: activityType, isLocal });
        return Promise.resolve({ jobId: input.jobId, words: input.text.split(/\s+/).length });
      },
    },
  });
  const words = await worker.runUntil(env.client.workflow.execute<typeof twoTextStatsSteps>('twoTextStatsSteps', { taskQueue, workflowId, args: ['one two three'] }));
  return { words, calls, workflowId };
}

describe('local steps (step(decl, { local: true }))', () => {
  it('runs the step as a local activity named after the step, recording the patch marker', async () => {
    const { words, calls, workflowId } = await run('local-steps-workflow');
    expect(words).toBe(6);
    expect(calls).toEqual([
      { type: 'computeTextStats', isLocal: true },
      { type: 'computeTextStats', isLocal: true },
    ]);
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes).map((e) => e.markerRecordedEventAttributes!.markerName);
    expect(markers.filter((m) => m === 'core_local_activity')).toHaveLength(2);
    expect(patchesOf(history)).toEqual([LOCAL_STEPS_PATCH]);
    expect((history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
  });

  it('a history recorded before the call site was local replays against the local call site', async () => {
    const before = await run('local-steps-before');
    expect(before.calls).toEqual([
      { type: 'computeTextStats', isLocal: false },
      { type: 'computeTextStats', isLocal: false },
    ]);
    const history = await env.client.workflow.getHandle(before.workflowId).fetchHistory();
    await expect(Worker.runReplayHistory({ workflowsPath: require.resolve('./fixtures/local-steps-workflow') }, history, before.workflowId)).resolves.toBeUndefined();
    // And the guard is what makes it so: the recorded history does not hold the local patch.
    expect(patchesOf(history)).not.toContain(LOCAL_STEPS_PATCH);
  });
});

import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { WrittenText } from '../../lambdas/shared/content/text-generator';
import type { dagExecution } from '../../workflows/machines/dag/dag-workflow';
import { contentPipeline } from '../../workflows/machines/dag/examples/content-pipeline';
import { dagDecisionUpdate, dagProgressQuery, stopDagUpdate } from '../../workflows/machines/dag/messages';
import type { DagProgress, DagResult } from '../../workflows/machines/dag/state';
import { stack, temporalClient } from '../support/stack';

/**
 * The content pipeline DAG on the local cloud: the shared worker interprets it, each writing step is
 * the deployed contentWriter Lambda function (its own activity type in the history), the approval is
 * an update; then a run stopped at its approval is redriven, and only the approval runs again.
 */
jest.setTimeout(300_000);

let client: Client;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ client, close } = await temporalClient());
});

afterAll(async () => {
  await close?.();
});

const brief = (targetWords: number) => ({
  brief: { topic: 'remote onboarding', audience: 'engineering managers', keyPoints: ['a buddy for the first month', 'written setup guides', 'small first tasks'], targetWords },
});

function start(input: unknown, previous?: DagResult['steps']): Promise<WorkflowHandle<typeof dagExecution>> {
  return client.workflow.start<typeof dagExecution>('dagExecution', {
    taskQueue: stack().TaskQueue,
    workflowId: `content-pipeline-${randomUUID()}`,
    args: [{ definition: contentPipeline, input, ...(previous ? { previous } : {}) }],
  });
}

async function waitForApproval(handle: WorkflowHandle): Promise<DagProgress> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const progress = await handle.query(dagProgressQuery);
    if (progress.steps.some((s) => s.id === 'approval' && s.status === 'RUNNING')) return progress;
    if (progress.status !== 'RUNNING' || Date.now() > deadline) throw new Error(`the run never waited for its approval: ${JSON.stringify(progress).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The activity types the run scheduled, in order: one per Lambda step it ran. */
async function activityTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter((name): name is string => typeof name === 'string');
}

const statuses = (result: { steps: DagResult['steps'] }) => Object.fromEntries(result.steps.map((s) => [s.id, s.status]));

describe('content pipeline (DAG) on the local cloud', () => {
  it('a long brief: draft, three writers in parallel, quality check, approval; tokens and cost add up', async () => {
    const handle = await start(brief(600));
    const waiting = await waitForApproval(handle);
    expect(waiting.steps.find((s) => s.id === 'approval')!.input).toMatchObject({ socialPost: expect.any(String), email: { subject: 'Remote onboarding' }, quality: { passed: expect.any(Boolean) } });
    await expect(handle.executeUpdate(dagDecisionUpdate, { args: [{ requestId: 'approve-1', stepId: 'approval', approved: true, by: 'grace@example.com' }] })).resolves.toEqual({
      stepId: 'approval',
      approved: true,
      duplicate: false,
    });
    const result = await handle.result();
    expect(result.status).toBe('SUCCEEDED');
    expect(statuses(result)).toEqual({ draft: 'SUCCEEDED', socialPost: 'SUCCEEDED', email: 'SUCCEEDED', summary: 'SUCCEEDED', qualityCheck: 'SUCCEEDED', approval: 'SUCCEEDED' });

    const written = result.steps.filter((s) => s.id !== 'approval').map((s) => s.output as WrittenText);
    expect(written.every((w) => w.generator === 'template-v1' && w.usage.outputTokens > 0 && w.cost.amount > 0)).toBe(true);
    expect((result.steps[0]!.output as WrittenText).words).toBeGreaterThan(500);
    expect(result.output).toMatchObject({
      approvedBy: 'grace@example.com',
      tokens: written.reduce((n, w) => n + w.usage.inputTokens + w.usage.outputTokens, 0),
      cost: Math.round(written.reduce((n, w) => n + w.cost.amount, 0) * 1e9) / 1e9,
    });
    const types = await activityTypes(handle);
    expect(types[0]).toBe('writeDraft');
    expect([...types.slice(1)].sort()).toEqual(['checkQuality', 'writeEmail', 'writeSocialPost', 'writeSummary']);
  });

  it('a short brief skips the quality check; stopped at its approval, the redrive runs only the approval', async () => {
    const first = await start(brief(150));
    await waitForApproval(first);
    await expect(first.executeUpdate(stopDagUpdate, { args: [{ reason: 'editor away' }] })).resolves.toEqual({ stopping: true, alreadyStopping: false });
    const stopped = await first.result();
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'DagStopped', cause: 'stopped: editor away; 4 steps succeeded; cancelled in flight: approval; not started: none' });
    expect(statuses(stopped)).toMatchObject({ qualityCheck: 'SKIPPED', approval: 'CANCELLED' });

    const redrive = await start(brief(150), stopped.steps);
    await waitForApproval(redrive);
    await redrive.executeUpdate(dagDecisionUpdate, { args: [{ requestId: 'approve-2', stepId: 'approval', approved: true, by: 'ada@example.com' }] });
    const result = await redrive.result();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.steps.filter((s) => s.reused).map((s) => s.id)).toEqual(['draft', 'socialPost', 'email', 'summary', 'qualityCheck']);
    expect(await activityTypes(redrive)).toEqual([]);
    expect(result.output).toMatchObject({ approvedBy: 'ada@example.com', draft: (stopped.steps[0]!.output as WrittenText).text });
  });
});

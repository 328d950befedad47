import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { SEVEN_DAYS_MS, sleepyWorkflow } from './fixtures/sleepy-workflow';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  }, 300_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow that sleeps 7 days in seconds of wall time', async () => {
    if (!env) throw new Error('test environment did not start');
    expect(env.supportsTimeSkipping).toBe(true);

    const taskQueue = `sleepy-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/sleepy-workflow'),
    });

    const serverTimeBefore = await env.currentTimeMs();
    const wallStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepyWorkflow, {
        taskQueue,
        workflowId: `sleepy-${randomUUID()}`,
        args: [SEVEN_DAYS_MS],
      }),
    );
    const wallMs = Date.now() - wallStart;
    const serverTimeAfter = await env.currentTimeMs();

    expect(result.finishedAt - result.startedAt).toBeGreaterThanOrEqual(SEVEN_DAYS_MS);
    expect(serverTimeAfter - serverTimeBefore).toBeGreaterThanOrEqual(SEVEN_DAYS_MS);
    expect(wallMs).toBeLessThan(30_000);
  });
});

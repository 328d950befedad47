import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { localAwsEnv, temporalAddress } from '../../infra/local/config';
import { repoRoot } from '../../infra/local/paths';
import { hasWorkflowPollers } from '../../infra/local/worker-service';
import { createNodeFunction } from '../support/functions';
import { lambda, stack, temporalClient } from '../support/stack';
import { waitFor } from './lambda-bridge-support';

/**
 * The worker process as it runs in production: SIGTERM stops polling, lets the in-flight Lambda
 * call finish within the grace period, and exits 0; a new worker then finishes the workflow.
 */
const taskQueue = `shutdown-${randomUUID()}`;
const functionName = `slow-text-stats-${randomUUID().slice(0, 8)}`;
// Stands in for text-stats with the same contract, but takes 4 s, so SIGTERM lands mid-call.
const SLOW_HANDLER = `
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 4000));
  return { jobId: event.input.jobId, words: 42, attempt: event.meta.attempt };
};`;

function startWorker(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...localAwsEnv,
      TEMPORAL_ADDRESS: temporalAddress,
      TASK_QUEUE: taskQueue,
      // Every declared step needs a deployed function, or the worker refuses to start; text-stats is this test's own.
      STEPLESS_FUNCTIONS: JSON.stringify({ ...(JSON.parse(stack().WorkerFunctions) as Record<string, string>), textStats: functionName }),
      WORKER_SHUTDOWN_GRACE_MS: '15000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

async function activityState(client: Client, workflowId: string): Promise<string | undefined> {
  const res = await client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
  const state = res.pendingActivities?.[0]?.state;
  return state === undefined || state === null ? undefined : temporal.api.enums.v1.PendingActivityState[state];
}

describe('worker graceful shutdown', () => {
  beforeAll(async () => {
    await createNodeFunction(lambda(), functionName, { 'index.js': SLOW_HANDLER }, { timeout: 30 });
  });
  afterAll(async () => {
    await lambda().send(new DeleteFunctionCommand({ FunctionName: functionName }));
  });

  it('finishes the in-flight activity on SIGTERM, exits 0, and a new worker completes the workflow', async () => {
    const { client, close } = await temporalClient();
    const first = startWorker();
    try {
      await waitFor('the worker to poll', () => hasWorkflowPollers(taskQueue));
      const workflowId = `shutdown-${randomUUID()}`;
      const handle = await client.workflow.start('textStatsJob', { taskQueue, workflowId, args: [{ jobId: 'j1', text: 'unused' }] });
      await waitFor('the activity to start', async () => (await activityState(client, workflowId)) === 'PENDING_ACTIVITY_STATE_STARTED');

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain('"msg":"worker stopped"');

      // The Lambda call was allowed to finish: its result is in the history, from the first attempt.
      const history = await handle.fetchHistory();
      const completed = history.events?.find((e) => e.activityTaskCompletedEventAttributes);
      expect(completed).toBeDefined();
      const failedOrTimedOut = history.events?.filter((e) => e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes);
      expect(failedOrTimedOut).toEqual([]);

      const second = startWorker();
      try {
        expect(await handle.result()).toEqual({ jobId: 'j1', words: 42, attempt: 1 });
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
      await close();
    }
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { localAwsEnv, temporalAddress } from '../../infra/local/config';
import { repoRoot } from '../../infra/local/paths';
import { createLambdaActivities } from '../../runtime/lambda/activity';
import { createNodeFunction } from '../support/functions';
import { temporalClient } from '../support/stack';
import type { callLambda } from './fixtures/lambda-bridge-workflows';
import { attemptsOf, bridgeLambdaClient, bundleHandlers, pendingActivity, waitFor } from './lambda-bridge-support';

/**
 * A worker that dies without a word (SIGKILL, as the OOM killer or a lost host would) in the middle
 * of a slow Lambda call: its heartbeats stop, Temporal times the attempt out after the heartbeat
 * timeout (3 s here, not the 2-minute start-to-close timeout), and another worker runs attempt 2.
 */
const suffix = randomUUID().slice(0, 8);
const taskQueue = `lambda-bridge-kill-${suffix}`;
const functionName = `bridge-slow-${suffix}`;
const functions = { slow: functionName };
const HEARTBEAT_TIMEOUT_MS = 3000;

/** An activity-only worker in a child process, so that it can be killed; same activities as the real worker. */
function startActivityWorker(identity: string): { child: ChildProcess; output: () => string } {
  const script = `
    const { NativeConnection, Worker } = require('@temporalio/worker');
    const { LambdaClient } = require('@aws-sdk/client-lambda');
    const { createLambdaActivities } = require(${JSON.stringify(join(repoRoot, 'runtime', 'lambda', 'activity.ts'))});
    (async () => {
      const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
      const worker = await Worker.create({
        connection, taskQueue: process.env.TASK_QUEUE, identity: process.env.WORKER_IDENTITY,
        activities: createLambdaActivities({ lambda: new LambdaClient({ maxAttempts: 1 }), functions: JSON.parse(process.env.STEPLESS_FUNCTIONS) }),
      });
      await worker.run();
    })().catch((err) => { console.error(err); process.exit(1); });`;
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: repoRoot,
    env: { ...process.env, ...localAwsEnv, TEMPORAL_ADDRESS: temporalAddress, TASK_QUEUE: taskQueue, WORKER_IDENTITY: identity, STEPLESS_FUNCTIONS: JSON.stringify(functions) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

describe('Lambda bridge: a worker killed mid-invocation', () => {
  const lambda = bridgeLambdaClient();

  beforeAll(async () => {
    await createNodeFunction(lambda, functionName, { 'index.js': await bundleHandlers(require.resolve('./functions/bridge-handlers.ts')) }, { handler: 'index.sleepy', timeout: 30 });
  });
  afterAll(async () => {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName }));
  });

  it('is noticed within the heartbeat timeout, and the activity is retried on another worker', async () => {
    const { client, close } = await temporalClient();
    const connection = await NativeConnection.connect({ address: temporalAddress });
    // Workflow tasks only: the activity's first attempt must land on the child.
    const workflows = await Worker.create({ connection, taskQueue, workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/lambda-bridge-workflows') }) });
    const workflowsRunning = workflows.run();
    const doomed = startActivityWorker('doomed-worker');
    let rescuer: Worker | undefined;
    let rescuerRunning: Promise<void> | undefined;
    try {
      const handle = await client.workflow.start<typeof callLambda>('callLambda', {
        taskQueue,
        workflowId: `bridge-kill-${randomUUID()}`,
        args: [
          {
            name: 'slow',
            // Attempt 1 is slow (the worker dies during it); attempt 2 is quick.
            input: { sleepMsByAttempt: { '1': 15000, '2': 500 } },
            options: { startToCloseTimeout: '2 minutes', heartbeatTimeout: HEARTBEAT_TIMEOUT_MS, retry: { initialInterval: '200 milliseconds', maximumAttempts: 3 } },
          },
        ],
      });
      await waitFor('attempt 1 to start on the child worker', async () => (await pendingActivity(client, handle.workflowId))?.state === 'PENDING_ACTIVITY_STATE_STARTED');
      await new Promise((resolve) => setTimeout(resolve, 1500)); // mid-call, with a heartbeat or two behind it

      // A second worker joins, then the first dies: no shutdown, no failure reported.
      rescuer = await Worker.create({ connection, taskQueue, identity: 'rescuer-worker', activities: createLambdaActivities({ lambda, functions }) });
      rescuerRunning = rescuer.run();
      const killedAt = Date.now();
      doomed.child.kill('SIGKILL');

      await waitFor('attempt 2 to start', async () => ((await pendingActivity(client, handle.workflowId))?.attempt ?? 3) >= 2, 30000, 100);
      const noticedAfterMs = Date.now() - killedAt;
      expect(await handle.result()).toMatchObject({ ok: true, result: { attempt: 2 } });

      const [record] = await attemptsOf(handle);
      expect(record).toMatchObject({ attempt: 2, outcome: 'completed', startedIdentity: 'rescuer-worker', lastFailureTimeoutType: 'TIMEOUT_TYPE_HEARTBEAT' });
      // Within the heartbeat timeout of the last heartbeat (plus the retry interval and polling), far below start-to-close.
      expect(noticedAfterMs).toBeLessThan(HEARTBEAT_TIMEOUT_MS + 2500);
      console.log(`worker killed; attempt 2 started ${noticedAfterMs} ms later (heartbeat timeout ${HEARTBEAT_TIMEOUT_MS} ms)`);
    } finally {
      if (doomed.child.exitCode === null && doomed.child.signalCode === null) doomed.child.kill('SIGKILL');
      rescuer?.shutdown();
      await rescuerRunning;
      workflows.shutdown();
      await workflowsRunning;
      await connection.close();
      await close();
    }
  });
});

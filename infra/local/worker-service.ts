import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { localAwsEnv, temporalAddress, temporalNamespace } from './config';
import type { StackOutputs } from './deploy';
import { repoRoot } from './paths';
import { runningPid, startService, stopService, waitUntil } from './processes';

const SERVICE = 'worker';

export function workerPid(): number | undefined {
  return runningPid(SERVICE);
}

/** Whether some worker polls the task queue for workflow tasks: the real sign a worker is serving it. */
export async function hasWorkflowPollers(taskQueue: string): Promise<boolean> {
  const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 2000 });
  try {
    const res = await connection.workflowService.describeTaskQueue({
      namespace: temporalNamespace,
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (res.pollers ?? []).length > 0;
  } finally {
    await connection.close();
  }
}

const workerArgs = ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')];

/** The worker's configuration for the local cloud, from the deployed stack's outputs. */
export function workerEnv(outputs: StackOutputs): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...localAwsEnv,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: temporalNamespace,
    TASK_QUEUE: outputs.TaskQueue,
    STEPLESS_FUNCTIONS: outputs.WorkerFunctions,
  };
}

/** Runs the worker in the foreground (for development), configured for the local cloud. */
export function runWorkerInForeground(outputs: StackOutputs): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, workerArgs, { cwd: repoRoot, env: workerEnv(outputs), stdio: 'inherit' });
    // Ctrl-C reaches the child through the terminal's process group; SIGTERM is passed on.
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.once('error', reject);
    child.once('close', resolve);
  });
}

/** Starts the worker against the deployed stack, unless ours is already up and polling. */
export async function startWorker(outputs: StackOutputs): Promise<'started' | 'reused'> {
  if (workerPid() !== undefined && (await hasWorkflowPollers(outputs.TaskQueue).catch(() => false))) return 'reused';
  await stopService(SERVICE);
  startService({ name: SERVICE, command: process.execPath, args: workerArgs, cwd: repoRoot, env: workerEnv(outputs) });
  await waitUntil('the worker polling its task queue', () => hasWorkflowPollers(outputs.TaskQueue), {
    timeoutMs: 90000,
    service: SERVICE,
    intervalMs: 1000,
  });
  return 'started';
}

export async function stopWorker(): Promise<boolean> {
  return stopService(SERVICE, 20000);
}

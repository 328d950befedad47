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

/** Starts the worker against the deployed stack, unless ours is already up and polling. */
export async function startWorker(outputs: StackOutputs): Promise<'started' | 'reused'> {
  if (workerPid() !== undefined && (await hasWorkflowPollers(outputs.TaskQueue).catch(() => false))) return 'reused';
  await stopService(SERVICE);
  startService({
    name: SERVICE,
    command: process.execPath,
    args: ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')],
    cwd: repoRoot,
    env: {
      ...process.env,
      ...localAwsEnv,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: temporalNamespace,
      TASK_QUEUE: outputs.TaskQueue,
      STEPLESS_FUNCTIONS: outputs.WorkerFunctions,
    },
  });
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

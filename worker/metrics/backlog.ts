import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { BacklogSample } from './window';

const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;

/**
 * The task queue's backlog as the server estimates it: workflow plus activity tasks waiting
 * (`reportStats`, the server's `approximateBacklogCount`; Temporal Server 1.25 or later), and the
 * distinct worker identities that polled either type recently (the server forgets a poller about
 * five minutes after its last poll, so a worker that just stopped still counts for a while).
 * Gives up after `timeoutMs`, so an unreachable server cannot hold up a flush (or shutdown).
 */
export async function sampleBacklog(connection: NativeConnection, namespace: string, taskQueue: string, timeoutMs = 10_000): Promise<BacklogSample> {
  const responses = await connection.withDeadline(Date.now() + timeoutMs, () =>
    Promise.all(
      [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map((taskQueueType) =>
        connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType,
          reportStats: true,
        }),
      ),
    ),
  );
  const identities = new Set(responses.flatMap((r) => (r.pollers ?? []).map((p) => p.identity ?? '')));
  // proto3 leaves a zero count out of the message: absent means 0.
  const backlog = responses.reduce((sum, r) => sum + Number(r.stats?.approximateBacklogCount ?? 0), 0);
  return { backlog, pollers: identities.size, identities: [...identities] };
}

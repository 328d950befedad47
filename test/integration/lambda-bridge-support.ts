import { setTimeout as sleep } from 'node:timers/promises';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { build } from 'esbuild';
import { localAwsClientConfig } from '../../infra/local/config';

/** Shared by the lambda-bridge*.test.ts files: bundling handlers, reading attempts from histories. */

/** As the worker configures it: no SDK-level retries, every retry is a Temporal attempt. */
export const bridgeLambdaClient = () =>
  new LambdaClient({ ...localAwsClientConfig, maxAttempts: 1 });

export async function bundleHandlers(entry: string): Promise<string> {
  const bundle = await build({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', write: false, logLevel: 'error' });
  return bundle.outputFiles[0]!.text;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60000, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface AttemptRecord {
  activityId: string;
  /** The attempt number of the last start (earlier attempts of a retried activity leave no events). */
  attempt: number;
  /** The failure type of the attempt before it, as the server recorded it. */
  lastFailureType: string | undefined;
  /** When the attempt before ended by a timeout: which one (TIMEOUT_TYPE_HEARTBEAT...). */
  lastFailureTimeoutType?: string | undefined;
  startedIdentity: string;
  outcome: 'completed' | 'failed' | 'timed-out' | 'pending';
  failureType?: string | undefined;
  retryState?: string | undefined;
  timeoutType?: string | undefined;
}

const enumName = <E extends Record<number, string>>(e: E, v: number | null | undefined) => (v === null || v === undefined ? undefined : e[v]);

/** Per activity of a workflow: its final attempt number and how it ended, from the history. */
export async function attemptsOf(handle: WorkflowHandle): Promise<AttemptRecord[]> {
  const history = await handle.fetchHistory();
  const byScheduled = new Map<string, AttemptRecord>();
  const activityIds = new Map<string, string>();
  for (const e of history.events ?? []) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) activityIds.set(id, e.activityTaskScheduledEventAttributes.activityId ?? '');
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const scheduled = String(started.scheduledEventId);
      byScheduled.set(scheduled, {
        activityId: activityIds.get(scheduled) ?? '',
        attempt: started.attempt ?? 0,
        lastFailureType: started.lastFailure?.applicationFailureInfo?.type ?? started.lastFailure?.message ?? undefined,
        lastFailureTimeoutType: enumName(temporal.api.enums.v1.TimeoutType, started.lastFailure?.timeoutFailureInfo?.timeoutType),
        startedIdentity: started.identity ?? '',
        outcome: 'pending',
      });
    }
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (done) {
      const record = byScheduled.get(String(done.scheduledEventId));
      if (!record) continue;
      if (e.activityTaskCompletedEventAttributes) record.outcome = 'completed';
      const failed = e.activityTaskFailedEventAttributes;
      if (failed) {
        record.outcome = 'failed';
        record.failureType = failed.failure?.applicationFailureInfo?.type ?? undefined;
        record.retryState = enumName(temporal.api.enums.v1.RetryState, failed.retryState);
      }
      const timedOut = e.activityTaskTimedOutEventAttributes;
      if (timedOut) {
        record.outcome = 'timed-out';
        record.retryState = enumName(temporal.api.enums.v1.RetryState, timedOut.retryState);
        record.timeoutType = enumName(temporal.api.enums.v1.TimeoutType, timedOut.failure?.timeoutFailureInfo?.timeoutType);
      }
    }
  }
  return [...byScheduled.values()];
}

/** The first pending activity's attempt and last failure, as the server reports it now. */
export async function pendingActivity(client: Client, workflowId: string): Promise<{ attempt: number; state: string | undefined; lastFailureType: string | undefined } | undefined> {
  const res = await client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
  const pending = res.pendingActivities?.[0];
  if (!pending) return undefined;
  return {
    attempt: pending.attempt ?? 0,
    state: enumName(temporal.api.enums.v1.PendingActivityState, pending.state),
    lastFailureType: pending.lastFailure?.applicationFailureInfo?.type ?? undefined,
  };
}

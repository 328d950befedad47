import { temporal } from '@temporalio/proto';
import type { DrillWorkflow } from './workload';

/** One step (activity) of a workflow as its history records it: its final attempt and the failure before it. */
export interface StepAttempt {
  workflowId: string;
  step: string;
  attempt: number;
  outcome: 'completed' | 'failed' | 'timed out' | 'pending';
  /** What failed the previous attempt (attempt > 1), as Temporal kept it. */
  lastFailure?: string;
}

/** Temporal records only an activity's last attempt, with the failure of the one before it. */
export async function stepAttempts(workflows: DrillWorkflow[]): Promise<StepAttempt[]> {
  const attempts: StepAttempt[] = [];
  for (const wf of workflows) {
    const history = await wf.handle.fetchHistory();
    const scheduled = new Map<string, string>();
    const started = new Map<string, temporal.api.history.v1.IActivityTaskStartedEventAttributes>();
    const outcome = new Map<string, StepAttempt['outcome']>();
    for (const event of history.events ?? []) {
      const id = String(event.eventId);
      if (event.activityTaskScheduledEventAttributes) scheduled.set(id, event.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
      const s = event.activityTaskStartedEventAttributes;
      if (s) started.set(String(s.scheduledEventId), s);
      const done =
        (event.activityTaskCompletedEventAttributes && (['completed', event.activityTaskCompletedEventAttributes] as const)) ||
        (event.activityTaskFailedEventAttributes && (['failed', event.activityTaskFailedEventAttributes] as const)) ||
        (event.activityTaskTimedOutEventAttributes && (['timed out', event.activityTaskTimedOutEventAttributes] as const));
      if (done) outcome.set(String(done[1].scheduledEventId), done[0]);
    }
    for (const [id, step] of scheduled) {
      const s = started.get(id);
      const failure = s?.lastFailure;
      const failureName = failure ? (failure.applicationFailureInfo?.type ?? (failure.timeoutFailureInfo ? `timeout (${temporal.api.enums.v1.TimeoutType[failure.timeoutFailureInfo.timeoutType ?? 0]})` : undefined) ?? failure.message ?? '?') : undefined;
      attempts.push({ workflowId: wf.workflowId, step, attempt: s?.attempt ?? 0, outcome: outcome.get(id) ?? 'pending', ...(failureName && (s?.attempt ?? 0) > 1 ? { lastFailure: failureName } : {}) });
    }
  }
  return attempts;
}

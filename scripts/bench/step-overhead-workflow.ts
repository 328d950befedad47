import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

/** The probe's only activity: does nothing, so a step's time is all Temporal's. */
export interface StepOverheadActivities {
  noop(step: number): Promise<void>;
}

const options = { startToCloseTimeout: '10 seconds' } as const;
const remote = proxyActivities<StepOverheadActivities>(options);
const local = proxyLocalActivities<StepOverheadActivities>(options);

/** `steps` no-op activities in sequence, as ordinary (task-queue) activities or as local activities. */
export async function noopSteps(steps: number, kind: 'activity' | 'local'): Promise<void> {
  const noop = kind === 'local' ? local.noop : remote.noop;
  for (let step = 1; step <= steps; step++) await noop(step);
}

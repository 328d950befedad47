import type { ScheduleDeclaration } from '../runtime/schedules/declare';

/**
 * The Temporal Schedules of this app, declared next to the workflows they start. The worker makes
 * the namespace match this list at start-up (docs/events.md#schedules): a schedule removed here is
 * deleted there. Plain data only.
 */
export const SCHEDULES: readonly ScheduleDeclaration[] = [
  {
    id: 'daily-text-stats',
    workflow: 'textStatsJob',
    args: [{ jobId: 'daily-text-stats', text: 'A daily text-stats run, started by its schedule.' }],
    cron: ['0 6 * * *'],
    overlap: 'SKIP',
    catchupWindow: '1 hour',
    jitter: '5 minutes',
    // Declared paused: an example of the form; unpause it here to have it run every day at 06:00 UTC.
    paused: true,
    description: 'Example: a text-stats job every day at 06:00 UTC',
  },
];

import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

/**
 * The worker's log: one JSON object per line on stdout, carrying the SDK's metadata (workflowId,
 * runId, activityId, taskQueue...) as top-level fields so logs can be filtered per workflow.
 */
export function createJsonLogger(level: LogLevel = 'INFO'): DefaultLogger {
  return new DefaultLogger(level, (entry: LogEntry) => {
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    process.stdout.write(`${JSON.stringify({ time, level: entry.level.toLowerCase(), msg: entry.message, source: 'worker', ...entry.meta })}\n`);
  });
}

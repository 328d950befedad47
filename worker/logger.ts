import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

/**
 * The worker's log: one JSON object per line on stdout, carrying the SDK's metadata (workflowId,
 * runId, activityId, taskQueue...) as top-level fields so logs can be filtered per workflow.
 */
export function createJsonLogger(level: LogLevel = 'INFO', ship?: (timestampMs: number, line: string) => void): DefaultLogger {
  return new DefaultLogger(level, (entry: LogEntry) => {
    const timestampMs = Number(entry.timestampNanos / 1_000_000n);
    // The task token is a long opaque credential for completing the activity: not for logs.
    const { taskToken: _taskToken, ...meta } = entry.meta ?? {};
    const line = JSON.stringify({ time: new Date(timestampMs).toISOString(), level: entry.level.toLowerCase(), msg: entry.message, source: 'worker', ...meta });
    process.stdout.write(`${line}\n`);
    ship?.(timestampMs, line);
  });
}

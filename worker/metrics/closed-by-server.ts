import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';

const { WorkflowExecutionStatus } = temporal.api.enums.v1;

/** A run the server closed without the worker seeing it: timed out, or terminated (an operator's abort). */
export interface ServerClosedRun {
  readonly workflowType: string;
  readonly outcome: 'timedOut' | 'terminated';
  readonly durationMs: number;
}

/** Visibility may trail the close by a little; a window ends this long before now so late rows still fall in a window. */
export const DEFAULT_VISIBILITY_LAG_MS = 30_000;
/** Pages of 1000 read per window at most, so a mass termination cannot stall a flush. */
const MAX_PAGES = 20;

/** The visibility query for one window: this task queue's runs closed by timeout or termination in [from, to). */
export function closedByServerQuery(taskQueue: string, from: Date, to: Date): string {
  const quoted = taskQueue.replace(/'/g, "\\'");
  return `TaskQueue = '${quoted}' AND (ExecutionStatus = 'TimedOut' OR ExecutionStatus = 'Terminated') AND CloseTime >= '${from.toISOString()}' AND CloseTime < '${to.toISOString()}'`;
}

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number => (t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0);

/**
 * Timed-out and terminated runs never reach a worker (workflows/lib/metrics-interceptor.ts cannot
 * count them), so one worker per task queue reads them from Temporal's visibility store at each
 * flush. Which one: the poller whose identity sorts first among those the server lists for the
 * queue, so several tasks do not count the same run; a window in which the publisher changes may be
 * missed or counted twice. Windows are contiguous: each starts where the last ended, whichever
 * worker read it.
 */
export class ClosedByServerSampler {
  private from: Date;

  constructor(
    private readonly options: {
      connection: NativeConnection;
      namespace: string;
      taskQueue: string;
      /** This worker's identity, as its polls report it. */
      identity: string;
      lagMs?: number;
      timeoutMs?: number;
      now?: () => number;
    },
  ) {
    this.from = new Date(this.now() - this.lag());
  }

  /** Whether this worker reads for the queue: it polls, and its identity sorts first among the pollers. */
  static isPublisher(identity: string, pollers: readonly string[]): boolean {
    return pollers.includes(identity) && [...pollers].sort()[0] === identity;
  }

  /** The runs closed by the server since the last window, or none when another worker reads them. */
  async sample(pollers: readonly string[]): Promise<ServerClosedRun[]> {
    const from = this.from;
    const to = new Date(this.now() - this.lag());
    if (to <= from) return [];
    this.from = to;
    if (!ClosedByServerSampler.isPublisher(this.options.identity, pollers)) return [];
    const { connection, namespace, taskQueue } = this.options;
    const query = closedByServerQuery(taskQueue, from, to);
    const runs: ServerClosedRun[] = [];
    let nextPageToken: Uint8Array | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await connection.withDeadline(Date.now() + (this.options.timeoutMs ?? 10_000), () =>
        connection.workflowService.listWorkflowExecutions({ namespace, query, pageSize: 1000, ...(nextPageToken ? { nextPageToken } : {}) }),
      );
      for (const e of res.executions ?? []) {
        const outcome = e.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT ? 'timedOut' : e.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED ? 'terminated' : undefined;
        if (!outcome) continue;
        runs.push({ workflowType: e.type?.name ?? 'unknown', outcome, durationMs: Math.max(0, millis(e.closeTime) - millis(e.startTime)) });
      }
      if (!res.nextPageToken || res.nextPageToken.length === 0) break;
      nextPageToken = res.nextPageToken;
    }
    return runs;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private lag(): number {
    return this.options.lagMs ?? DEFAULT_VISIBILITY_LAG_MS;
  }
}

import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { summarizeFailure, type FailureSummary } from '../failure-summary';
import { inWindow, WindowTracker, type CursorSettings, type ListWindow } from './cursor';
import { changesOf, needsFailure, statusChangeEvent, statusChangeId, type FoundChange, type WorkflowStatusChange } from './event';
import type { PublisherLease } from './lease';
import { putStatusChanges } from './put-events';

export interface StatusPublisherLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface StatusPublisherOptions {
  /** A client of the worker's namespace, with the deployment's data converter (failures may be encrypted). */
  client: Client;
  namespace: string;
  /** Only runs on this task queue are reported: the stack's workflows. */
  taskQueue: string;
  eventBridge: EventBridgeClient;
  eventBusName: string;
  lease: PublisherLease;
  /** How long a lease lasts without renewal (the lease's own setting), to know when to renew it. */
  leaseMs: number;
  /** The Temporal Web UI, for each event's link; unset: events carry no link. */
  uiBaseUrl?: string;
  pollIntervalMs: number;
  cursor: CursorSettings;
  /** PutEvents attempts per entry within one poll, and the backoff between them. */
  putAttempts: number;
  putBackoffMs: number;
  logger: StatusPublisherLogger;
  now?: () => number;
}

/** What one poll did, for the log and the tests. */
export interface PollReport {
  /** Whether this publisher holds the lease (and so published). */
  leader: boolean;
  window?: ListWindow;
  cursorMs?: number;
  published: WorkflowStatusChange[];
  failed: { id: string; error: string }[];
}

/**
 * Publishes a status change event for every run of the task queue that starts or closes, read
 * from Temporal's visibility store, never from workflow code: so terminated and timed-out runs
 * (which run no code when they end) are reported, and a replay emits nothing.
 */
export class StatusPublisher {
  private readonly tracker: WindowTracker;
  private heldUntilMs = 0;
  private cursorMs?: number;
  private stopping = false;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(private readonly options: StatusPublisherOptions) {
    this.tracker = new WindowTracker(options.cursor);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Starts polling in the background; a failed poll is logged and retried at the next one. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the poll under way and gives up the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    if (this.heldUntilMs > 0) await this.options.lease.release().catch((err: unknown) => this.options.logger.warn('status events: releasing the lease failed', { error: String(err) }));
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let caughtUp = true;
      try {
        const report = await this.pollOnce();
        // A bounded window means a backlog: list the next one at once.
        caughtUp = report.window?.toMs === undefined;
        if (report.published.length > 0 || report.failed.length > 0) {
          this.options.logger.info('status events published', { published: report.published.length, failed: report.failed, cursor: report.cursorMs === undefined ? null : new Date(report.cursorMs).toISOString() });
        }
      } catch (err) {
        this.options.logger.warn('status events: poll failed; retrying at the next poll', { error: String(err) });
      }
      if (caughtUp && !this.stopping) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  /** One poll: take or keep the lease, list the next window, put what is new, move the cursor. */
  async pollOnce(): Promise<PollReport> {
    const { lease, leaseMs } = this.options;
    const startedMs = this.now();
    // The holder renews when half its lease is gone; until then it trusts its own cursor.
    if (this.cursorMs === undefined || startedMs > this.heldUntilMs - leaseMs / 2) {
      const state = await lease.acquire(startedMs);
      if (state === undefined) {
        this.heldUntilMs = 0;
        this.cursorMs = undefined;
        this.tracker.reset();
        return { leader: false, published: [], failed: [] };
      }
      this.heldUntilMs = startedMs + leaseMs;
      // The first publisher ever starts from now: it reports what happens from its start (less the margin), not the namespace's past.
      this.cursorMs = state.cursorMs ?? startedMs;
    }
    const cursorMs = this.cursorMs;
    const window = this.tracker.window(cursorMs, startedMs);
    const found = this.tracker.unpublished((await this.listChanges(window)).map((change) => ({ id: idOf(change), change })));

    const events: WorkflowStatusChange[] = [];
    const failed: { id: string; error: string }[] = [];
    const failedMs: number[] = [];
    for (const { id, change } of found) {
      try {
        events.push(statusChangeEvent(change, { namespace: this.options.namespace, uiBaseUrl: this.options.uiBaseUrl, failure: needsFailure(change.status) ? await this.failureOf(change) : undefined }));
      } catch (err) {
        failed.push({ id, error: `reading the run's failure: ${String(err)}` });
        failedMs.push(change.timeMs);
      }
    }
    const outcome = await putStatusChanges(events, { eventBridge: this.options.eventBridge, eventBusName: this.options.eventBusName, attempts: this.options.putAttempts, backoffMs: this.options.putBackoffMs });
    const timeOf = new Map(found.map(({ id, change }) => [id, change.timeMs]));
    for (const f of outcome.failed) {
      failed.push(f);
      failedMs.push(timeOf.get(f.id)!);
    }
    const nextCursorMs = this.tracker.settle(cursorMs, window, { published: outcome.published.map((id) => ({ id, timeMs: timeOf.get(id)! })), failedMs });

    const published = events.filter((e) => outcome.published.includes(e.id));
    if (nextCursorMs !== cursorMs || this.now() > this.heldUntilMs - leaseMs / 2) {
      const stillOurs = await lease.advance(nextCursorMs, this.now());
      if (!stillOurs) {
        // Another publisher took over (this one stalled past its lease): what was put stays put, and is at worst sent twice.
        this.heldUntilMs = 0;
        this.cursorMs = undefined;
        this.tracker.reset();
        return { leader: false, window, published, failed };
      }
      this.heldUntilMs = this.now() + leaseMs;
    }
    this.cursorMs = nextCursorMs;
    return { leader: true, window, cursorMs: nextCursorMs, published, failed };
  }

  /** The window's changes, from two visibility queries (runs started in it, runs closed in it), oldest first. */
  private async listChanges(window: ListWindow): Promise<FoundChange[]> {
    const queue = `TaskQueue = ${quoted(this.options.taskQueue)}`;
    const range = (field: string) => `${field} >= ${quoted(new Date(window.fromMs).toISOString())}${window.toMs === undefined ? '' : ` AND ${field} < ${quoted(new Date(window.toMs).toISOString())}`}`;
    const queries = [`${queue} AND ${range('StartTime')}`, `${queue} AND ExecutionStatus != "Running" AND ${range('CloseTime')}`];
    const byId = new Map<string, FoundChange>();
    for (const query of queries) {
      for await (const execution of this.options.client.workflow.list({ query })) {
        for (const change of changesOf(execution)) if (inWindow(window, change.timeMs)) byId.set(idOf(change), change);
      }
    }
    return [...byId.values()].sort((a, b) => a.timeMs - b.timeMs);
  }

  /** The summary of why the run did not succeed, from its close event; undefined if the run is gone (past retention). */
  private async failureOf(change: FoundChange): Promise<FailureSummary | undefined> {
    try {
      await this.options.client.workflow.result(change.execution.workflowId, change.execution.runId, { followRuns: false });
      return undefined;
    } catch (err) {
      if (err instanceof WorkflowFailedError) return summarizeFailure((err.cause ?? err));
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }
}

function idOf(change: FoundChange): string {
  return statusChangeId(change.execution.workflowId, change.execution.runId, change.status);
}

/** A string literal of Temporal's list filter. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

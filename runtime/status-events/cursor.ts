/**
 * Which visibility window the publisher lists next, and where its cursor moves once the changes
 * found there are published. Times are milliseconds since the epoch, in the Temporal server's clock
 * (start and close times) except `nowMs`, the publisher's own clock.
 *
 * Visibility is eventually consistent: a change can become listable a little after later changes
 * are. So each window starts `marginMs` before the cursor, and a change is lost only if it becomes
 * listable more than `marginMs` after it happened; the overlap re-lists changes already published,
 * which the publisher skips (and, after a restart, sends again: delivery is at least once).
 */
export interface CursorSettings {
  /** How late a change may become listable; the window overlaps the last one by this much. */
  marginMs: number;
  /** Widest window listed at once while catching up on a backlog (after downtime). */
  catchUpWindowMs: number;
}

export interface ListWindow {
  fromMs: number;
  /** Exclusive; absent: open-ended (the window reaches the present). */
  toMs?: number;
}

/**
 * The window after `cursorMs`. Open-ended near the present; bounded when even its end lies a whole
 * window behind the publisher's clock, so that a backlog is read a window at a time, and a bound that
 * far back is in the past for the server too, whatever the clocks' skew (below the window's width).
 */
export function nextWindow(cursorMs: number, nowMs: number, settings: CursorSettings): ListWindow {
  const fromMs = cursorMs - settings.marginMs;
  const toMs = cursorMs + settings.catchUpWindowMs;
  return toMs < nowMs - settings.catchUpWindowMs ? { fromMs, toMs } : { fromMs };
}

/** Whether a change at `timeMs` belongs to the window. */
export function inWindow(window: ListWindow, timeMs: number): boolean {
  return timeMs >= window.fromMs && (window.toMs === undefined || timeMs < window.toMs);
}

/**
 * The cursor once a window's changes were put: past everything published, but never past a change
 * whose put failed, so the next window lists it again. A bounded window's end is passed even when it
 * held nothing (it lies in the past); an open window's cursor stops at the last change published.
 */
export function advanceCursor(cursorMs: number, window: ListWindow, outcome: { publishedMs: readonly number[]; failedMs: readonly number[] }): number {
  const reached = window.toMs ?? Math.max(cursorMs, ...outcome.publishedMs);
  return outcome.failedMs.length === 0 ? reached : Math.min(reached, ...outcome.failedMs);
}

/**
 * The publisher's bookkeeping between polls: the windows it lists, the changes it already put
 * (so a window's overlap does not put them again), and where the cursor moves after each poll.
 * What it remembers lives in memory only: after a restart or a handover the new holder puts the
 * last `marginMs` of changes again, which the at-least-once contract allows.
 */
export class WindowTracker {
  private readonly published = new Map<string, number>();

  constructor(private readonly settings: CursorSettings) {}

  window(cursorMs: number, nowMs: number): ListWindow {
    return nextWindow(cursorMs, nowMs, this.settings);
  }

  /** The listed changes not yet put by this publisher. */
  unpublished<T extends { id: string }>(listed: readonly T[]): T[] {
    return listed.filter((c) => !this.published.has(c.id));
  }

  /** Records what was put and returns the new cursor; forgets what no later window can list again. */
  settle(cursorMs: number, window: ListWindow, outcome: { published: readonly { id: string; timeMs: number }[]; failedMs: readonly number[] }): number {
    for (const c of outcome.published) this.published.set(c.id, c.timeMs);
    const publishedMs = [...this.published.values()].filter((t) => inWindow(window, t));
    const next = advanceCursor(cursorMs, window, { publishedMs, failedMs: outcome.failedMs });
    // The next window starts at `next - marginMs`; anything earlier it cannot list (and were it listed again after a failure moved the cursor back, it would only be put twice).
    for (const [id, t] of this.published) if (t < next - this.settings.marginMs) this.published.delete(id);
    return next;
  }

  /** Forgets everything (the lease was lost: the next holder's cursor may be elsewhere). */
  reset(): void {
    this.published.clear();
  }
}

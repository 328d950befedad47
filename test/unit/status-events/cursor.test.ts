import fc from 'fast-check';
import { advanceCursor, nextWindow, WindowTracker, type CursorSettings } from '../../../runtime/status-events/cursor';

/**
 * The publisher's cursor (runtime/status-events/cursor.ts): the windows it lists and where it moves.
 * The property test runs the publisher's bookkeeping (WindowTracker) against a model of visibility
 * with lags up to the margin, a clock skewed from the server's, puts that fail at random, restarts
 * that lose what the process remembered, and an outage long enough to need catching up: every
 * change is put at least once.
 */
const settings: CursorSettings = { marginMs: 30_000, catchUpWindowMs: 600_000 };

describe('windows', () => {
  it('near the present the window is open-ended and overlaps the cursor by the margin', () => {
    expect(nextWindow(1_000_000, 1_005_000, settings)).toEqual({ fromMs: 970_000 });
  });

  it('far behind (after downtime) the window is bounded, a catch-up width at a time', () => {
    const now = 10_000_000;
    expect(nextWindow(now - 3 * 600_000, now, settings)).toEqual({ fromMs: now - 1_800_000 - 30_000, toMs: now - 1_200_000 });
    // Its end must lie a whole width behind the clock, else the window stays open.
    expect(nextWindow(now - 2 * 600_000, now, settings)).toEqual({ fromMs: now - 1_200_000 - 30_000 });
  });
});

describe('advancing the cursor', () => {
  const open = { fromMs: 970_000 };
  it('an open window moves to the last change put, never back', () => {
    expect(advanceCursor(1_000_000, open, { publishedMs: [990_000, 1_004_000], failedMs: [] })).toBe(1_004_000);
    expect(advanceCursor(1_000_000, open, { publishedMs: [975_000], failedMs: [] })).toBe(1_000_000);
    expect(advanceCursor(1_000_000, open, { publishedMs: [], failedMs: [] })).toBe(1_000_000);
  });

  it('a bounded window moves to its end even when it held nothing', () => {
    expect(advanceCursor(1_000_000, { fromMs: 970_000, toMs: 1_600_000 }, { publishedMs: [], failedMs: [] })).toBe(1_600_000);
  });

  it('never past a change whose put failed, so the next window lists it again', () => {
    expect(advanceCursor(1_000_000, open, { publishedMs: [1_010_000], failedMs: [1_003_000, 1_008_000] })).toBe(1_003_000);
    expect(advanceCursor(1_000_000, { fromMs: 970_000, toMs: 1_600_000 }, { publishedMs: [1_010_000], failedMs: [1_200_000] })).toBe(1_200_000);
    // A late change inside the overlap that failed pulls the cursor back to it.
    const back = advanceCursor(1_000_000, open, { publishedMs: [], failedMs: [980_000] });
    expect(back).toBe(980_000);
    expect(nextWindow(back, 1_010_000, settings).fromMs).toBeLessThanOrEqual(980_000);
  });

  it('the tracker skips what it put when the overlap lists it again, and forgets it once out of reach', () => {
    const tracker = new WindowTracker(settings);
    const w1 = tracker.window(1_000_000, 1_000_000);
    const c1 = tracker.settle(1_000_000, w1, { published: [{ id: 'a', timeMs: 995_000 }, { id: 'b', timeMs: 1_001_000 }], failedMs: [] });
    expect(c1).toBe(1_001_000);
    expect(tracker.unpublished([{ id: 'a' }, { id: 'b' }, { id: 'c' }])).toEqual([{ id: 'c' }]);
    const w2 = tracker.window(c1, 1_100_000);
    tracker.settle(c1, w2, { published: [{ id: 'd', timeMs: 1_090_000 }], failedMs: [] });
    // 'a' and 'b' lie before the next window's start: no window can list them again.
    expect(tracker.unpublished([{ id: 'a' }, { id: 'b' }, { id: 'd' }])).toEqual([{ id: 'a' }, { id: 'b' }]);
  });
});

/** A change the model's visibility store holds: it happened at `timeMs` and is listable from `timeMs + lagMs`. */
interface ModelChange {
  id: string;
  timeMs: number;
  lagMs: number;
}

describe('no change is lost', () => {
  const start = 1_800_000_000_000;
  const scenario = fc.record({
    changes: fc.array(fc.record({ offsetMs: fc.integer({ min: 0, max: 40 * 60_000 }), lagMs: fc.integer({ min: 0, max: settings.marginMs }) }), { minLength: 1, maxLength: 60 }),
    // The publisher's clock against the server's, within a minute either way.
    skewMs: fc.integer({ min: -60_000, max: 60_000 }),
    pollGapsMs: fc.array(fc.integer({ min: 500, max: 5_000 }), { minLength: 1, maxLength: 20 }),
    outage: fc.record({ atMs: fc.integer({ min: 0, max: 40 * 60_000 }), lengthMs: fc.integer({ min: 0, max: 2 * 3_600_000 }) }),
    failureRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
    restartEvery: fc.integer({ min: 3, max: 200 }),
    seed: fc.integer(),
  });

  it('every change is put at least once, whatever the lags, skew, failures, restarts and downtime', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        // The first publisher starts from its own now; changes are those after its start (and its skew).
        const firstMs = start + Math.abs(s.skewMs);
        const changes: ModelChange[] = s.changes.map((c, i) => ({ id: `c${i}`, timeMs: firstMs + c.offsetMs, lagMs: c.lagMs }));
        const lastMs = Math.max(...changes.map((c) => c.timeMs + c.lagMs));
        let random = s.seed;
        const nextRandom = () => {
          random = (Math.imul(random, 1103515245) + 12345) | 0;
          return ((random >>> 8) & 0xffff) / 0x10000;
        };
        const put = new Set<string>();
        let tracker = new WindowTracker(settings);
        let cursorMs: number | undefined;
        let serverMs = start;
        let poll = 0;
        const outageFrom = start + s.outage.atMs;
        // Polls until well after the last change (a few caught-up polls after it, should the outage end past it), at the drawn gaps; catching up polls again at once.
        let pollsAfterEnd = 0;
        while (pollsAfterEnd < 3) {
          poll++;
          if (poll % s.restartEvery === 0) tracker = new WindowTracker(settings);
          const nowMs = serverMs + s.skewMs;
          cursorMs ??= nowMs;
          const window = tracker.window(cursorMs, nowMs);
          const listable = changes.filter((c) => c.timeMs + c.lagMs <= serverMs && c.timeMs >= window.fromMs && (window.toMs === undefined || c.timeMs < window.toMs));
          const published: { id: string; timeMs: number }[] = [];
          const failedMs: number[] = [];
          for (const c of tracker.unpublished(listable)) {
            // Puts fail while the changes happen; after that EventBridge recovers, and what failed must then go out.
            if (serverMs < lastMs + settings.marginMs && nextRandom() < s.failureRate) failedMs.push(c.timeMs);
            else {
              published.push({ id: c.id, timeMs: c.timeMs });
              put.add(c.id);
            }
          }
          cursorMs = tracker.settle(cursorMs, window, { published, failedMs });
          const catchingUp = window.toMs !== undefined;
          if (!catchingUp && serverMs >= lastMs + settings.marginMs) pollsAfterEnd++;
          serverMs += catchingUp ? 50 : s.pollGapsMs[poll % s.pollGapsMs.length]!;
          // The outage: the publisher does not run, time passes.
          if (serverMs >= outageFrom && serverMs < outageFrom + s.outage.lengthMs) serverMs = outageFrom + s.outage.lengthMs;
          if (poll > 100_000) throw new Error('the publisher never caught up');
        }
        expect(changes.filter((c) => !put.has(c.id)).map((c) => c.id)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

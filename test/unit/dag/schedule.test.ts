import type { DagDefinition, DagStep } from '../../../workflows/machines/dag/definition';
import {
  RedriveError,
  defaultOutput,
  dependencySkips,
  eligibleSteps,
  freeSlots,
  initialRecords,
  settledOutcome,
  stoppedAt,
  topologicalOrder,
} from '../../../workflows/machines/dag/schedule';
import type { DagStepRecord, DagStepStatus, SkipReason } from '../../../workflows/machines/dag/state';

/** The interpreter's scheduling decisions, alone: what runs next, what is skipped and why, what a redrive keeps. */

const step = (id: string, dependsOn: string[] = [], extra: Partial<DagStep> = {}): DagStep => ({ id, ...(dependsOn.length ? { dependsOn } : {}), run: { type: 'lambda', step: 'writeSummary' }, ...extra });
const definitionOf = (steps: DagStep[], extra: Partial<DagDefinition> = {}): DagDefinition => ({ kind: 'dag', steps, ...extra });
const rec = (id: string, status: DagStepStatus, skipReason?: SkipReason, extra: Partial<DagStepRecord> = {}): DagStepRecord => ({ id, status, ...(skipReason ? { skipReason } : {}), ...extra });
const mapOf = (records: DagStepRecord[]) => new Map(records.map((r) => [r.id, r]));

//   a ─┬─ b ─┐
//      └─ c ─┴─ d (noneFailed) ── e
const diamond = definitionOf([step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c'], { requires: 'noneFailed' }), step('e', ['d'])], { maxConcurrency: 2 });

describe('topologicalOrder', () => {
  it('puts each step after its dependencies, keeping definition order among equals', () => {
    expect(topologicalOrder(definitionOf([step('z', ['y']), step('y'), step('x')]))).toEqual(['y', 'x', 'z']);
    expect(topologicalOrder(diamond)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('eligibleSteps and freeSlots', () => {
  it('a step is eligible once every dependency has settled, not before', () => {
    const records = mapOf(initialRecords(diamond));
    expect(eligibleSteps(diamond, records).map((s) => s.id)).toEqual(['a']);
    records.set('a', rec('a', 'SUCCEEDED'));
    expect(eligibleSteps(diamond, records).map((s) => s.id)).toEqual(['b', 'c']);
    records.set('b', rec('b', 'SUCCEEDED'));
    records.set('c', rec('c', 'RUNNING'));
    expect(eligibleSteps(diamond, records).map((s) => s.id)).toEqual([]);
  });

  it('counts free slots under maxConcurrency (default 10)', () => {
    expect(freeSlots(diamond, [rec('a', 'RUNNING'), rec('b', 'SUCCEEDED')])).toBe(1);
    expect(freeSlots(diamond, [rec('a', 'RUNNING'), rec('b', 'RUNNING'), rec('c', 'RUNNING')])).toBe(0);
    expect(freeSlots(definitionOf([step('a')]), [rec('a', 'RUNNING')])).toBe(9);
  });
});

describe('dependencySkips: the dependents of skipped and failed steps', () => {
  it('allSucceeded (default): a skipped dependency skips the step, and the skip cascades', () => {
    const definition = definitionOf([step('a'), step('b', ['a']), step('c', ['b'])]);
    const records = mapOf([rec('a', 'SKIPPED', 'condition'), rec('b', 'PENDING'), rec('c', 'PENDING')]);
    expect(dependencySkips(definition, records)).toEqual([
      { id: 'b', reason: 'dependencies', cause: 'dependency "a" was skipped and the step requires all its dependencies to succeed' },
      { id: 'c', reason: 'dependencies', cause: 'dependency "b" was skipped and the step requires all its dependencies to succeed' },
    ]);
  });

  it('noneFailed: runs after a skipped dependency when nothing failed', () => {
    const records = mapOf([rec('a', 'SUCCEEDED'), rec('b', 'SUCCEEDED'), rec('c', 'SKIPPED', 'condition'), rec('d', 'PENDING'), rec('e', 'PENDING')]);
    expect(dependencySkips(diamond, records)).toEqual([]);
    expect(eligibleSteps(diamond, records).map((s) => s.id)).toEqual(['d']);
  });

  it('a failure skips every step below it, whatever its policy, as upstreamFailed', () => {
    const records = mapOf([rec('a', 'SUCCEEDED'), rec('b', 'FAILED'), rec('c', 'SUCCEEDED'), rec('d', 'PENDING'), rec('e', 'PENDING')]);
    expect(dependencySkips(diamond, records)).toEqual([
      { id: 'd', reason: 'upstreamFailed', cause: 'dependency "b" failed' },
      { id: 'e', reason: 'upstreamFailed', cause: 'dependency "d" was skipped because a step above it failed' },
    ]);
  });

  it('waits while a dependency is still running', () => {
    const records = mapOf([rec('a', 'SUCCEEDED'), rec('b', 'FAILED'), rec('c', 'RUNNING'), rec('d', 'PENDING'), rec('e', 'PENDING')]);
    expect(dependencySkips(diamond, records)).toEqual([]);
  });
});

describe('initialRecords: redrive', () => {
  it('a fresh run starts with every step pending', () => {
    expect(initialRecords(diamond).map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING', 'PENDING']);
  });

  it('keeps what succeeded (with its output), runs again what failed and everything below it', () => {
    const previous = [
      rec('a', 'SUCCEEDED', undefined, { output: { n: 1 } }),
      rec('b', 'FAILED', undefined, { error: 'Boom' }),
      rec('c', 'SUCCEEDED', undefined, { output: { n: 3 } }),
      rec('d', 'SKIPPED', 'upstreamFailed'),
      rec('e', 'SKIPPED', 'upstreamFailed'),
    ];
    expect(initialRecords(diamond, previous)).toEqual([
      { id: 'a', status: 'SUCCEEDED', output: { n: 1 }, reused: true },
      { id: 'b', status: 'PENDING' },
      { id: 'c', status: 'SUCCEEDED', output: { n: 3 }, reused: true },
      { id: 'd', status: 'PENDING' },
      { id: 'e', status: 'PENDING' },
    ]);
  });

  it('runs again cancelled and never-started steps, and a condition skip whose dependency runs again', () => {
    const definition = definitionOf([step('a'), step('b', ['a']), step('c', ['b'], { when: 'false' }), step('d')]);
    const previous = [rec('a', 'SUCCEEDED'), rec('b', 'CANCELLED'), rec('c', 'SKIPPED', 'condition'), rec('d', 'SKIPPED', 'condition')];
    expect(initialRecords(definition, previous).map((r) => `${r.id}:${r.status}${r.reused ? ' (kept)' : ''}`)).toEqual(['a:SUCCEEDED (kept)', 'b:PENDING', 'c:PENDING', 'd:SKIPPED (kept)']);
  });

  it('refuses a previous run with a step this definition does not have', () => {
    expect(() => initialRecords(diamond, [rec('zz', 'SUCCEEDED')])).toThrow(new RedriveError('the previous run has a step "zz" that this definition does not have'));
  });
});

describe('outcomes', () => {
  it('SUCCEEDED when nothing failed; FAILED with the first failure by end time, naming the others', () => {
    expect(settledOutcome([rec('a', 'SUCCEEDED'), rec('b', 'SKIPPED', 'condition')])).toEqual({ status: 'SUCCEEDED' });
    expect(
      settledOutcome([
        rec('a', 'FAILED', undefined, { error: 'Late', cause: 'later', endedAt: '2026-01-01T00:00:02.000Z' }),
        rec('b', 'FAILED', undefined, { error: 'Early', cause: 'first', endedAt: '2026-01-01T00:00:01.000Z' }),
      ]),
    ).toEqual({ status: 'FAILED', error: 'Early', cause: 'step "b" failed: first (and 1 more failed step: a)' });
  });

  it('says where a stopped run stopped', () => {
    expect(stoppedAt([rec('a', 'SUCCEEDED'), rec('b', 'CANCELLED'), rec('c', 'CANCELLED'), rec('d', 'PENDING')])).toBe('1 step succeeded; cancelled in flight: b, c; not started: d');
  });

  it('the default output is each succeeded step by id', () => {
    expect(defaultOutput([rec('a', 'SUCCEEDED', undefined, { output: 1 }), rec('b', 'FAILED'), rec('c', 'SUCCEEDED')])).toEqual({ a: 1, c: null });
  });
});

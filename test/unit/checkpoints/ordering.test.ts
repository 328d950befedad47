import { atHighestStep, compareCheckpoints, pickLatest, sortCheckpoints } from '../../../runtime/checkpoints/ordering';
import { readMetric, selectRetained, validateRetentionPolicy } from '../../../runtime/checkpoints/retention';
import type { JsonObject } from '../../../runtime/checkpoints/validation';

interface Fake {
  checkpointId: string;
  step: number;
  createdAt: string;
  parent: string | null;
  metadata: JsonObject;
}

let seq = 0;
function ckpt(step: number, extra: Partial<Fake> = {}): Fake {
  seq += 1;
  return {
    checkpointId: seq.toString(16).padStart(32, '0'),
    step,
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(),
    parent: null,
    metadata: {},
    ...extra,
  };
}

const ids = (list: readonly Fake[]) => list.map((m) => m.checkpointId);

describe('checkpoint order', () => {
  it('orders by step, then createdAt, then id', () => {
    const a = ckpt(5, { createdAt: '2024-01-01T00:00:02.000Z', checkpointId: 'b'.repeat(32) });
    const b = ckpt(5, { createdAt: '2024-01-01T00:00:02.000Z', checkpointId: 'a'.repeat(32) });
    const c = ckpt(5, { createdAt: '2024-01-01T00:00:01.000Z' });
    const d = ckpt(10, { createdAt: '2023-01-01T00:00:00.000Z' });
    const e = ckpt(2);
    expect(ids(sortCheckpoints([a, b, c, d, e]))).toEqual(ids([e, c, b, a, d]));
    expect(compareCheckpoints(a, a)).toBe(0);
  });

  it('picks the latest: highest step, later createdAt on a tie', () => {
    const older = ckpt(7, { createdAt: '2024-01-01T00:00:00.000Z' });
    const newer = ckpt(7, { createdAt: '2024-01-01T00:00:00.001Z' });
    expect(pickLatest([newer, ckpt(3), older])).toBe(newer);
    expect(pickLatest([])).toBeUndefined();
  });

  it('narrows a listing to the entries at the highest step', () => {
    expect(atHighestStep([{ step: 1 }, { step: 9, k: 'a' }, { step: 3 }, { step: 9, k: 'b' }])).toEqual([{ step: 9, k: 'a' }, { step: 9, k: 'b' }]);
    expect(atHighestStep([])).toEqual([]);
  });
});

describe('readMetric', () => {
  it('follows dotted paths, including keys that contain dots', () => {
    const metadata = { loss: 0.5, metrics: { val: { loss: 0.25 }, 'val.acc': 0.9 }, 'top.level': 3, text: 'x', nan: null };
    expect(readMetric(metadata, 'loss')).toBe(0.5);
    expect(readMetric(metadata, 'metrics.val.loss')).toBe(0.25);
    expect(readMetric(metadata, 'metrics.val.acc')).toBe(0.9);
    expect(readMetric(metadata, 'top.level')).toBe(3);
    expect(readMetric(metadata, 'text')).toBeUndefined();
    expect(readMetric(metadata, 'nan')).toBeUndefined();
    expect(readMetric(metadata, 'metrics.missing')).toBeUndefined();
  });
});

describe('selectRetained', () => {
  const losses = [0.9, 0.3, 0.7, 0.1, 0.8, 0.6];
  const run = losses.map((loss, i) => ckpt(i * 100, { metadata: { metrics: { loss } } }));

  it('keeps the last N', () => {
    const { keep, drop } = selectRetained(run, { keepLast: 2 });
    expect(keep.map((m) => m.step)).toEqual([400, 500]);
    expect(drop.map((m) => m.step)).toEqual([0, 100, 200, 300]);
  });

  it('keeps the best K by a metric, min or max, united with the last N', () => {
    expect(selectRetained(run, { keepBest: { metric: 'metrics.loss', mode: 'min', count: 2 } }).keep.map((m) => m.step)).toEqual([100, 300]);
    expect(selectRetained(run, { keepBest: { metric: 'metrics.loss', mode: 'max', count: 1 } }).keep.map((m) => m.step)).toEqual([0]);
    const both = selectRetained(run, { keepLast: 1, keepBest: { metric: 'metrics.loss', mode: 'min', count: 2 } });
    expect(both.keep.map((m) => m.step)).toEqual([100, 300, 500]);
    expect(both.drop).toHaveLength(3);
  });

  it('breaks metric ties toward the more recent checkpoint and skips checkpoints without the metric', () => {
    const tied = [ckpt(1, { metadata: { loss: 0.5 } }), ckpt(2, { metadata: {} }), ckpt(3, { metadata: { loss: 0.5 } }), ckpt(4, { metadata: { loss: 'n/a' } })];
    expect(selectRetained(tied, { keepBest: { metric: 'loss', mode: 'min', count: 1 } }).keep.map((m) => m.step)).toEqual([3]);
    expect(selectRetained(tied, { keepBest: { metric: 'loss', mode: 'min', count: 10 } }).keep.map((m) => m.step)).toEqual([1, 3]);
  });

  it('keeps ancestors of kept checkpoints only when asked, and survives parent cycles', () => {
    const a = ckpt(1);
    const b = ckpt(2, { parent: a.checkpointId });
    const c = ckpt(3, { parent: 'f'.repeat(32) }); // parent in another run: not ours to keep
    const d = ckpt(4, { parent: b.checkpointId });
    expect(selectRetained([a, b, c, d], { keepLast: 1 }).keep).toEqual([d]);
    expect(ids(selectRetained([a, b, c, d], { keepLast: 1, keepAncestors: true }).keep)).toEqual(ids([a, b, d]));
    const x = ckpt(5);
    const y = ckpt(6, { parent: x.checkpointId });
    x.parent = y.checkpointId;
    expect(ids(selectRetained([x, y], { keepLast: 1, keepAncestors: true }).keep)).toEqual(ids([x, y]));
  });

  it('keepLast 0 drops everything', () => {
    expect(selectRetained(run, { keepLast: 0 }).keep).toEqual([]);
  });
});

describe('validateRetentionPolicy', () => {
  it('requires at least one rule and checks each field', () => {
    expect(() => validateRetentionPolicy({})).toThrow('policy: expected keepLast and/or keepBest, found neither');
    expect(() => validateRetentionPolicy({ keepLast: -1 })).toThrow('policy.keepLast: expected a non-negative integer, found number -1');
    expect(() => validateRetentionPolicy({ keepBest: { metric: 'loss', mode: 'lowest', count: 1 } })).toThrow(/policy.keepBest.mode: expected 'min' or 'max'/);
    expect(() => validateRetentionPolicy({ keepBest: { metric: '', mode: 'min', count: 1 } })).toThrow(/policy.keepBest.metric/);
    expect(() => validateRetentionPolicy({ keepLast: 1, keepAncestors: 'yes' })).toThrow(/policy.keepAncestors: expected a boolean/);
    expect(validateRetentionPolicy({ keepLast: 3 })).toEqual({ keepLast: 3, keepAncestors: false });
  });
});

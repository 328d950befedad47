/**
 * Which checkpoints of a run a retention policy keeps. Pure: the store lists, this decides, the
 * store deletes. Kept = the union of the last N and the best K by a metric (and, on request,
 * every ancestor of those).
 */
import { CheckpointValidationError, describeValue } from './errors';
import type { CheckpointManifest } from './manifest';
import { compareCheckpoints, sortCheckpoints } from './ordering';

export interface RetentionPolicy {
  /** Keep the N most recent checkpoints (by step, then createdAt). */
  keepLast?: number;
  /**
   * Keep the `count` best checkpoints by a numeric metric in their metadata. `metric` is a dotted
   * path into metadata ('valLoss', 'metrics.valLoss'; keys that contain dots are found too, see
   * `readMetric`). Checkpoints without a finite number there are not candidates (they can still be
   * kept by keepLast). Ties go to the more recent checkpoint.
   */
  keepBest?: { metric: string; mode: 'min' | 'max'; count: number };
  /**
   * Also keep every ancestor (via `parent`, within this run) of a kept checkpoint. Off by default:
   * training usually chains each checkpoint to the previous one, so this would keep everything.
   * Turn it on when a checkpoint's blob is a delta that needs its ancestors' blobs to be restored;
   * their manifests are kept too, so the chain stays walkable by later prunes.
   */
  keepAncestors?: boolean;
}

export function validateRetentionPolicy(policy: unknown): Required<Pick<RetentionPolicy, 'keepAncestors'>> & RetentionPolicy {
  if (typeof policy !== 'object' || policy === null) throw new CheckpointValidationError('policy', 'an object', describeValue(policy));
  const { keepLast, keepBest, keepAncestors } = policy as Record<string, unknown>;
  if (keepLast === undefined && keepBest === undefined) {
    // Pruning with no rule would delete every checkpoint of the run; make that an explicit keepLast: 0.
    throw new CheckpointValidationError('policy', 'keepLast and/or keepBest', 'neither');
  }
  const out: RetentionPolicy & { keepAncestors: boolean } = { keepAncestors: false };
  if (keepLast !== undefined) out.keepLast = count(keepLast, 'policy.keepLast');
  if (keepBest !== undefined) {
    if (typeof keepBest !== 'object' || keepBest === null) throw new CheckpointValidationError('policy.keepBest', 'an object', describeValue(keepBest));
    const { metric, mode, count: n } = keepBest as Record<string, unknown>;
    if (typeof metric !== 'string' || metric === '') throw new CheckpointValidationError('policy.keepBest.metric', 'a non-empty string', describeValue(metric));
    if (mode !== 'min' && mode !== 'max') throw new CheckpointValidationError('policy.keepBest.mode', "'min' or 'max'", describeValue(mode));
    out.keepBest = { metric, mode, count: count(n, 'policy.keepBest.count') };
  }
  if (keepAncestors !== undefined) {
    if (typeof keepAncestors !== 'boolean') throw new CheckpointValidationError('policy.keepAncestors', 'a boolean', describeValue(keepAncestors));
    out.keepAncestors = keepAncestors;
  }
  return out;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new CheckpointValidationError(field, 'a non-negative integer', describeValue(value));
  }
  return value;
}

/**
 * Reads a metric from metadata by dotted path. A key that itself contains dots ('val.loss') is
 * found too: at each level the longest run of path segments that is a key is taken first.
 */
export function readMetric(metadata: unknown, metric: string): number | undefined {
  const segments = metric.split('.');
  const walk = (node: unknown, from: number): number | undefined => {
    if (from === segments.length) return typeof node === 'number' && Number.isFinite(node) ? node : undefined;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    for (let to = segments.length; to > from; to--) {
      const key = segments.slice(from, to).join('.');
      if (Object.prototype.hasOwnProperty.call(node, key)) {
        const found = walk((node as Record<string, unknown>)[key], to);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return walk(metadata, 0);
}

export interface RetentionDecision<T> {
  keep: T[];
  drop: T[];
}

type Retainable = Pick<CheckpointManifest, 'checkpointId' | 'step' | 'createdAt' | 'parent' | 'metadata'>;

export function selectRetained<T extends Retainable>(manifests: readonly T[], policy: RetentionPolicy): RetentionDecision<T> {
  const ordered = sortCheckpoints(manifests);
  const kept = new Set<string>();
  if (policy.keepLast !== undefined && policy.keepLast > 0) {
    for (const m of ordered.slice(-policy.keepLast)) kept.add(m.checkpointId);
  }
  if (policy.keepBest !== undefined && policy.keepBest.count > 0) {
    const { metric, mode, count: n } = policy.keepBest;
    const scored = ordered.flatMap((m) => {
      const value = readMetric(m.metadata, metric);
      return value === undefined ? [] : [{ m, value }];
    });
    scored.sort((a, b) => {
      if (a.value !== b.value) return mode === 'min' ? a.value - b.value : b.value - a.value;
      return compareCheckpoints(b.m, a.m); // tie: the more recent first
    });
    for (const { m } of scored.slice(0, n)) kept.add(m.checkpointId);
  }
  if (policy.keepAncestors === true) {
    const byId = new Map(ordered.map((m) => [m.checkpointId, m]));
    for (const id of [...kept]) {
      let parent = byId.get(id)?.parent ?? null;
      // `kept` doubles as the visited set, so a (corrupt) parent cycle ends the walk.
      while (parent !== null && !kept.has(parent) && byId.has(parent)) {
        kept.add(parent);
        parent = byId.get(parent)?.parent ?? null;
      }
    }
  }
  return {
    keep: ordered.filter((m) => kept.has(m.checkpointId)),
    drop: ordered.filter((m) => !kept.has(m.checkpointId)),
  };
}

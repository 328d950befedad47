/**
 * The one order checkpoints have: by step, then by creation time (a run that was restarted may
 * save the same step twice; the later save wins), then by id so that the order is total and the
 * same on every machine even for identical timestamps.
 */
import type { CheckpointManifest } from './manifest';

type Ordered = Pick<CheckpointManifest, 'step' | 'createdAt' | 'checkpointId'>;

export function compareCheckpoints(a: Ordered, b: Ordered): number {
  if (a.step !== b.step) return a.step - b.step;
  // ISO 8601 UTC strings of one fixed format compare chronologically as plain strings.
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.checkpointId !== b.checkpointId) return a.checkpointId < b.checkpointId ? -1 : 1;
  return 0;
}

/** A sorted copy, oldest first. */
export function sortCheckpoints<T extends Ordered>(manifests: readonly T[]): T[] {
  return [...manifests].sort(compareCheckpoints);
}

export function pickLatest<T extends Ordered>(manifests: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const m of manifests) if (best === undefined || compareCheckpoints(m, best) > 0) best = m;
  return best;
}

/**
 * Of the keys listed for a run, the ones at the highest step: only those manifests need reading to
 * find the latest checkpoint (normally one; more if a step was saved more than once).
 */
export function atHighestStep<T extends { step: number }>(entries: readonly T[]): T[] {
  let max = -1;
  for (const e of entries) if (e.step > max) max = e.step;
  return entries.filter((e) => e.step === max);
}

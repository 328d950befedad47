import { DAG_DEFAULTS, type DagDefinition, type DagStep } from './definition';
import { SETTLED, type DagResult, type DagStepRecord, type SkipReason } from './state';

/**
 * The scheduling decisions of a DAG run, as pure functions of the definition and the step records:
 * which steps a redrive keeps, which are skipped because of their dependencies, which may start
 * now, and how the run ended. `runDag` (./run.ts) applies them; the unit tests check them alone.
 */

/** Step ids so that each comes after its dependencies; ties keep definition order. Assumes no cycle. */
export function topologicalOrder(definition: DagDefinition): string[] {
  const remaining = new Map(definition.steps.map((s) => [s.id, new Set(s.dependsOn ?? [])]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const next = [...remaining.entries()].filter(([, deps]) => deps.size === 0).map(([id]) => id);
    if (next.length === 0) throw new Error(`steps ${[...remaining.keys()].join(', ')} form a cycle`);
    for (const id of next) {
      remaining.delete(id);
      for (const deps of remaining.values()) deps.delete(id);
      order.push(id);
    }
  }
  return order;
}

/**
 * The records a run starts from. A fresh run: every step PENDING. A redrive (`previous`, the steps
 * of the run it takes on from): a step keeps its record, output included, when it succeeded, or was
 * skipped for a reason that did not involve a failure, and every dependency is kept too; every
 * other step (failed, cancelled, never started, or downstream of one of those) is PENDING again.
 */
export function initialRecords(definition: DagDefinition, previous?: readonly DagStepRecord[]): DagStepRecord[] {
  const byId = new Map<string, DagStepRecord>();
  for (const record of previous ?? []) {
    if (!definition.steps.some((s) => s.id === record.id)) throw new RedriveError(`the previous run has a step "${record.id}" that this definition does not have`);
    byId.set(record.id, record);
  }
  const kept = new Set<string>();
  const steps = new Map(definition.steps.map((s) => [s.id, s]));
  for (const id of topologicalOrder(definition)) {
    const before = byId.get(id);
    const keepable = before !== undefined && (before.status === 'SUCCEEDED' || (before.status === 'SKIPPED' && before.skipReason !== 'upstreamFailed'));
    if (keepable && (steps.get(id)!.dependsOn ?? []).every((dep) => kept.has(dep))) kept.add(id);
  }
  return definition.steps.map((s) => (kept.has(s.id) ? { ...byId.get(s.id)!, reused: true } : { id: s.id, status: 'PENDING' }));
}

/** A redrive that cannot be taken (the previous run does not match the definition). */
export class RedriveError extends Error {
  override readonly name = 'InvalidRedrive';
}

export type DependencyVerdict = { kind: 'wait' } | { kind: 'eligible' } | { kind: 'skip'; reason: SkipReason; cause: string };

/** What a pending step's dependencies say: wait for them, skip it (and why), or it may run (its `when` permitting). */
export function dependencyVerdict(step: DagStep, records: ReadonlyMap<string, DagStepRecord>): DependencyVerdict {
  const deps = (step.dependsOn ?? []).map((id) => records.get(id)!);
  if (deps.some((d) => !SETTLED.has(d.status))) return { kind: 'wait' };
  const failed = deps.find((d) => d.status === 'FAILED' || d.status === 'CANCELLED' || (d.status === 'SKIPPED' && d.skipReason === 'upstreamFailed'));
  if (failed) return { kind: 'skip', reason: 'upstreamFailed', cause: `dependency "${failed.id}" ${failed.status === 'SKIPPED' ? 'was skipped because a step above it failed' : failed.status === 'CANCELLED' ? 'was cancelled' : 'failed'}` };
  const skipped = deps.find((d) => d.status === 'SKIPPED');
  if (skipped && (step.requires ?? DAG_DEFAULTS.requires) === 'allSucceeded') {
    return { kind: 'skip', reason: 'dependencies', cause: `dependency "${skipped.id}" was skipped and the step requires all its dependencies to succeed` };
  }
  return { kind: 'eligible' };
}

/** The pending steps whose dependencies let them run, in definition order. */
export function eligibleSteps(definition: DagDefinition, records: ReadonlyMap<string, DagStepRecord>): DagStep[] {
  return definition.steps.filter((s) => records.get(s.id)!.status === 'PENDING' && dependencyVerdict(s, records).kind === 'eligible');
}

/** Steps to skip now because of their dependencies, applied until nothing changes (a skip can skip what depends on it). */
export function dependencySkips(definition: DagDefinition, records: Map<string, DagStepRecord>): Array<{ id: string; reason: SkipReason; cause: string }> {
  const skips: Array<{ id: string; reason: SkipReason; cause: string }> = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const step of definition.steps) {
      if (records.get(step.id)!.status !== 'PENDING') continue;
      const verdict = dependencyVerdict(step, records);
      if (verdict.kind !== 'skip') continue;
      records.set(step.id, { ...records.get(step.id)!, status: 'SKIPPED', skipReason: verdict.reason, cause: verdict.cause });
      skips.push({ id: step.id, reason: verdict.reason, cause: verdict.cause });
      changed = true;
    }
  }
  return skips;
}

/** Free slots under the run's `maxConcurrency`. */
export function freeSlots(definition: DagDefinition, records: Iterable<DagStepRecord>): number {
  let running = 0;
  for (const r of records) if (r.status === 'RUNNING') running++;
  return Math.max(0, (definition.maxConcurrency ?? DAG_DEFAULTS.maxConcurrency) - running);
}

/**
 * How a run that ran to the end ended: FAILED with the first failure (by end time, then definition
 * order) when a step failed, else SUCCEEDED. The output is computed by the caller.
 */
export function settledOutcome(records: readonly DagStepRecord[]): Pick<DagResult, 'status' | 'error' | 'cause'> {
  const failures = records.filter((r) => r.status === 'FAILED');
  if (failures.length === 0) return { status: 'SUCCEEDED' };
  const first = failures.reduce((a, b) => ((b.endedAt ?? '') < (a.endedAt ?? '') ? b : a));
  const others = failures.length > 1 ? ` (and ${failures.length - 1} more failed step${failures.length > 2 ? 's' : ''}: ${failures.filter((f) => f !== first).map((f) => f.id).join(', ')})` : '';
  return { status: 'FAILED', error: first.error ?? 'States.TaskFailed', cause: `step "${first.id}" failed: ${first.cause ?? 'no message'}${others}` };
}

/** Where a stopped or timed-out run stopped, for its cause: what was cancelled in flight and what never started. */
export function stoppedAt(records: readonly DagStepRecord[]): string {
  const cancelled = records.filter((r) => r.status === 'CANCELLED').map((r) => r.id);
  const notStarted = records.filter((r) => r.status === 'PENDING').map((r) => r.id);
  const done = records.filter((r) => r.status === 'SUCCEEDED').length;
  return `${done} step${done === 1 ? '' : 's'} succeeded; cancelled in flight: ${cancelled.length > 0 ? cancelled.join(', ') : 'none'}; not started: ${notStarted.length > 0 ? notStarted.join(', ') : 'none'}`;
}

/** The default output: each succeeded step's output by its id. */
export function defaultOutput(records: readonly DagStepRecord[]): Record<string, unknown> {
  return Object.fromEntries(records.filter((r) => r.status === 'SUCCEEDED').map((r) => [r.id, r.output ?? null]));
}

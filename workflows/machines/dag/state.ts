/**
 * A DAG run's record of its steps: what `runDag` returns, what a progress query shows and what a
 * redrive starts from. Plain JSON.
 */

export type DagStepStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'CANCELLED';

/**
 * Why a step was skipped: its `when` was false (`condition`); a dependency was skipped and the step
 * requires all to succeed (`dependencies`); a dependency failed, or was skipped because something
 * above it failed (`upstreamFailed`).
 */
export type SkipReason = 'condition' | 'dependencies' | 'upstreamFailed';

export interface DagStepRecord {
  id: string;
  status: DagStepStatus;
  skipReason?: SkipReason;
  output?: unknown;
  /** The error name (a declared step error, `States.Timeout`, `DecisionRejected`, ...) and its message. */
  error?: string;
  cause?: string;
  /** What a decision step asks about (its input), while it waits and after. */
  input?: unknown;
  /** Workflow time, ISO 8601. */
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Kept from the run this one redrives: it did not run again. */
  reused?: boolean;
}

export type DagRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface DagResult {
  status: Exclude<DagRunStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Every step in definition order. */
  steps: DagStepRecord[];
}

/** A progress snapshot: the result so far, RUNNING until the run ends. */
export interface DagProgress {
  status: DagRunStatus;
  steps: DagStepRecord[];
}

export const SETTLED: ReadonlySet<DagStepStatus> = new Set(['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED']);

/** The document JSONata expressions see: the execution's input and every step that has settled or runs. */
export function expressionDocument(input: unknown, steps: Iterable<DagStepRecord>): { input: unknown; steps: Record<string, { status: DagStepStatus; output?: unknown; error?: string }> } {
  const view: Record<string, { status: DagStepStatus; output?: unknown; error?: string }> = {};
  for (const s of steps) {
    if (s.status === 'PENDING') continue;
    view[s.id] = { status: s.status, ...(s.output !== undefined ? { output: s.output } : {}), ...(s.error !== undefined ? { error: s.error } : {}) };
  }
  return { input, steps: view };
}

import { msToNumber } from '@temporalio/common/lib/time';
import type { Duration } from '@temporalio/common';
import { isWorkflowType, WORKFLOW_TYPES, type WorkflowType } from '../workflow-names';

/** What a schedule does when a run is due while the previous one still runs (Temporal's overlap policies). */
export type OverlapPolicy = 'SKIP' | 'BUFFER_ONE' | 'BUFFER_ALL' | 'CANCEL_OTHER' | 'TERMINATE_OTHER' | 'ALLOW_ALL';
const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'];

/**
 * A Temporal Schedule declared in code (workflows/schedules.ts). The worker creates, updates and
 * deletes the schedules it owns to match the declarations at start-up (runtime/schedules/reconcile.ts).
 * Plain data, deterministic: the declarations sit next to the workflows they start.
 */
export interface ScheduleDeclaration {
  /** The schedule id: lowercase letters, digits and '-', 1-64; also the prefix of its workflows' ids. */
  readonly id: string;
  readonly workflow: WorkflowType;
  /** The workflow's arguments, the same for every run. */
  readonly args: readonly unknown[];
  /** Cron expressions (five fields, or `@daily`-style), at least one of `cron` or `every`. */
  readonly cron?: readonly string[];
  /** A fixed interval: `'15 minutes'`, `'1 day'`. */
  readonly every?: Duration;
  /** IANA time zone of the cron expressions. Default UTC. */
  readonly timezone?: string;
  /** Default SKIP: a run that is due while the last one still runs is skipped. */
  readonly overlap?: OverlapPolicy;
  /** How late a run may still be taken after Temporal was unavailable. Default 1 minute (Temporal's). */
  readonly catchupWindow?: Duration;
  /** Each run starts up to this much later, at random, to spread load. Default none. */
  readonly jitter?: Duration;
  /** Declared paused: created (or set) paused on every reconcile. Default false. */
  readonly paused?: boolean;
  /** Shown as the schedule's note in the Temporal UI and `npm run schedules`. */
  readonly description: string;
}

const ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Checks declarations: every error names the schedule, the field and the rule; ids must be unique. */
export function checkSchedules(declarations: readonly ScheduleDeclaration[]): readonly ScheduleDeclaration[] {
  const seen = new Set<string>();
  for (const d of declarations) {
    if (typeof d.id !== 'string' || !ID.test(d.id)) throw new Error(`schedule id must be 1-64 lowercase letters, digits and '-' (not at either end), got ${JSON.stringify(d.id)}`);
    if (seen.has(d.id)) throw new Error(`schedule "${d.id}" is declared twice`);
    seen.add(d.id);
    const where = (field: string) => `schedule "${d.id}": ${field}`;
    const workflow: string = d.workflow;
    if (!isWorkflowType(workflow)) throw new Error(`${where('workflow')} must be one of ${WORKFLOW_TYPES.join(', ')} (runtime/workflow-names.ts), got "${workflow}"`);
    if (!Array.isArray(d.args)) throw new Error(`${where('args')} must be an array of the workflow's arguments`);
    if ((d.cron === undefined || d.cron.length === 0) && d.every === undefined) throw new Error(`${where('cron')} or every is required: when should it run?`);
    for (const c of d.cron ?? []) {
      if (typeof c !== 'string' || !(/^@\w+$/.test(c.trim()) || c.trim().split(/\s+/).length === 5)) throw new Error(`${where('cron')}: "${String(c)}" must have five fields (minute hour day-of-month month day-of-week) or be @daily, @hourly, ...`);
    }
    for (const field of ['every', 'catchupWindow', 'jitter'] as const) {
      const value = d[field];
      if (value === undefined) continue;
      let ms: number;
      try {
        ms = msToNumber(value);
      } catch {
        throw new Error(`${where(field)} must be a duration such as '15 minutes' or '1 day', got ${JSON.stringify(value)}`);
      }
      if (!(ms > 0)) throw new Error(`${where(field)} must be longer than zero, got ${JSON.stringify(value)}`);
    }
    if (d.overlap !== undefined && !OVERLAP_POLICIES.includes(d.overlap)) throw new Error(`${where('overlap')} must be one of ${OVERLAP_POLICIES.join(', ')}, got ${JSON.stringify(d.overlap)}`);
    if (typeof d.description !== 'string' || d.description.trim() === '') throw new Error(`${where('description')} must be a non-empty text`);
  }
  return declarations;
}

import { ScheduleAlreadyRunning, type Client, type ScheduleOptions, type ScheduleUpdateOptions } from '@temporalio/client';
import { checkSchedules, type ScheduleDeclaration } from './declare';

/**
 * The memo field that marks a schedule as declared in code, with the task queue of the deployment
 * that owns it: reconciling touches only schedules with its own mark, never one made by hand or by
 * another deployment sharing the namespace.
 */
export const OWNER_MEMO = 'stepless.declaredBy';

export interface ReconcileResult {
  created: string[];
  updated: string[];
  deleted: string[];
}

/** The Temporal form of a declaration: its workflows run on `taskQueue` with ids `<schedule id>-<time>`. */
export function scheduleOptions(d: ScheduleDeclaration, taskQueue: string): ScheduleOptions {
  return {
    scheduleId: d.id,
    spec: {
      ...(d.cron ? { cronExpressions: [...d.cron] } : {}),
      ...(d.every !== undefined ? { intervals: [{ every: d.every }] } : {}),
      ...(d.jitter !== undefined ? { jitter: d.jitter } : {}),
      ...(d.timezone !== undefined ? { timezone: d.timezone } : {}),
    },
    action: { type: 'startWorkflow', workflowType: d.workflow, args: [...d.args], taskQueue, workflowId: d.id },
    policies: { overlap: d.overlap ?? 'SKIP', catchupWindow: d.catchupWindow ?? '1 minute' },
    state: { paused: d.paused ?? false, note: d.description },
    memo: { [OWNER_MEMO]: taskQueue },
  };
}

/**
 * Makes the namespace's schedules owned by `taskQueue` match the declarations: creates the missing,
 * updates the existing to the declaration (code wins, a pause set in the UI included), and deletes
 * owned schedules that are no longer declared. Safe to run from several workers at once.
 */
export async function reconcileSchedules(client: Client, declarations: readonly ScheduleDeclaration[], taskQueue: string): Promise<ReconcileResult> {
  checkSchedules(declarations);
  const result: ReconcileResult = { created: [], updated: [], deleted: [] };
  for (const declaration of declarations) {
    const options = scheduleOptions(declaration, taskQueue);
    try {
      await client.schedule.create(options);
      result.created.push(declaration.id);
      continue;
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
    const handle = client.schedule.getHandle(declaration.id);
    const owner = (await handle.describe()).memo?.[OWNER_MEMO];
    if (owner !== taskQueue) {
      throw new Error(`schedule "${declaration.id}" already exists in the namespace and is not declared by this deployment (memo ${OWNER_MEMO}=${JSON.stringify(owner ?? null)}, expected "${taskQueue}"): rename the declaration or delete that schedule`);
    }
    const { scheduleId: _id, memo: _memo, ...update } = options;
    await handle.update((): ScheduleUpdateOptions => ({ ...update, state: { paused: declaration.paused ?? false, note: declaration.description } }));
    result.updated.push(declaration.id);
  }
  const declared = new Set(declarations.map((d) => d.id));
  for await (const summary of client.schedule.list()) {
    if (summary.memo?.[OWNER_MEMO] !== taskQueue || declared.has(summary.scheduleId)) continue;
    await client.schedule.getHandle(summary.scheduleId).delete();
    result.deleted.push(summary.scheduleId);
  }
  return result;
}

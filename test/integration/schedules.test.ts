import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { ScheduleDeclaration } from '../../runtime/schedules/declare';
import { OWNER_MEMO, reconcileSchedules, type ReconcileResult } from '../../runtime/schedules/reconcile';
import { temporalClient } from '../support/stack';

/**
 * Reconciling declared schedules against the local Temporal server: created, updated to the code,
 * deleted when no longer declared, and a schedule nobody declared left alone. The owner is a task
 * queue of this test's own, so the worker's schedules are not touched.
 */
describe('declared schedules', () => {
  const run = randomUUID().slice(0, 8);
  const owner = `schedules-test-${run}`;
  const hourly: ScheduleDeclaration = { id: `hourly-${run}`, workflow: 'textStatsJob', args: [{ jobId: `hourly-${run}`, text: 'tick' }], every: '1 hour', description: 'hourly test schedule' };
  const morning: ScheduleDeclaration = { id: `morning-${run}`, workflow: 'textStatsJob', args: [{ jobId: `morning-${run}`, text: 'tock' }], cron: ['0 6 * * *'], jitter: '5 minutes', catchupWindow: '1 hour', paused: true, description: 'morning test schedule' };
  let temporal: { client: Client; close: () => Promise<void> };
  beforeAll(async () => {
    temporal = await temporalClient();
  });
  afterAll(async () => {
    for (const id of [hourly.id, morning.id, `manual-${run}`]) await temporal.client.schedule.getHandle(id).delete().catch(() => undefined);
    await temporal.close();
  });
  const describeSchedule = (id: string) => temporal.client.schedule.getHandle(id).describe();

  it('creates what is declared, marked as its owner\'s, with the declared policies', async () => {
    await expect(reconcileSchedules(temporal.client, [hourly, morning], owner)).resolves.toEqual({ created: [hourly.id, morning.id], updated: [], deleted: [] });
    const h = await describeSchedule(hourly.id);
    expect(h.memo).toEqual({ [OWNER_MEMO]: owner });
    expect(h.spec.intervals).toEqual([expect.objectContaining({ every: 3600000 })]);
    expect(h.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 60000 });
    expect(h.state).toMatchObject({ paused: false, note: 'hourly test schedule' });
    expect(h.action).toMatchObject({ type: 'startWorkflow', workflowType: 'textStatsJob', taskQueue: owner, workflowId: hourly.id, args: hourly.args });
    expect(h.info.nextActionTimes.length).toBeGreaterThan(0);
    const m = await describeSchedule(morning.id);
    expect(m.state.paused).toBe(true);
    expect(m.policies.catchupWindow).toBe(3600000);
    expect(m.spec.jitter).toBe(300000);
  });

  it('updates a changed declaration and deletes one no longer declared', async () => {
    const changed: ScheduleDeclaration = { ...hourly, every: '30 minutes', overlap: 'BUFFER_ONE', paused: true };
    // The list that finds schedules to delete is Temporal's visibility store, which may lag a create by a moment.
    let result: ReconcileResult | undefined;
    for (let i = 0; i < 20 && !result?.deleted.includes(morning.id); i++) {
      if (i > 0) await sleep(500);
      result = await reconcileSchedules(temporal.client, [changed], owner);
    }
    expect(result).toMatchObject({ created: [], updated: [hourly.id], deleted: [morning.id] });
    const h = await describeSchedule(hourly.id);
    expect(h.spec.intervals).toEqual([expect.objectContaining({ every: 1800000 })]);
    expect(h.policies.overlap).toBe('BUFFER_ONE');
    expect(h.state.paused).toBe(true);
    await expect(describeSchedule(morning.id)).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('refuses to take over a schedule it did not create', async () => {
    const manual: ScheduleDeclaration = { ...hourly, id: `manual-${run}` };
    await temporal.client.schedule.create({ scheduleId: manual.id, spec: { intervals: [{ every: '1 day' }] }, action: { type: 'startWorkflow', workflowType: 'textStatsJob', args: [], taskQueue: 'elsewhere' } });
    await expect(reconcileSchedules(temporal.client, [manual], owner)).rejects.toThrow(`schedule "${manual.id}" already exists in the namespace and is not declared by this deployment`);
    expect((await describeSchedule(manual.id)).spec.intervals).toEqual([expect.objectContaining({ every: 86400000 })]);
  });

  it('npm run schedules lists them with their next run times', () => {
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, '..', '..', 'scripts', 'schedules.ts')], { encoding: 'utf8' });
    const line = out.split('\n').find((l) => l.startsWith(hourly.id));
    expect(line).toMatch(new RegExp(`^${hourly.id}\\s+textStatsJob\\s+paused\\s+code \\(${owner}\\)\\s+\\d{4}-\\d\\d-\\d\\dT`));
    expect(out).toMatch(new RegExp(`manual-${run}\\s+textStatsJob\\s+active\\s+not in code`));
  });
});

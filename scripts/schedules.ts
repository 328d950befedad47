import { Client, Connection } from '@temporalio/client';
import { temporalAddress, temporalNamespace } from '../infra/local/config';
import { temporalConnectionFromEnv } from '../runtime/temporal-connection';
import { OWNER_MEMO } from '../runtime/schedules/reconcile';
import { SCHEDULES } from '../workflows/schedules';
import { runMain } from './run-main';

/**
 * `npm run schedules`: the namespace's schedules with their next run times, which of them are
 * declared in code (workflows/schedules.ts) and declarations the worker has not created yet.
 * The local cloud by default; TEMPORAL_ADDRESS (and the other TEMPORAL_* variables) for another.
 */
runMain(async () => {
  const settings = temporalConnectionFromEnv({ TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: temporalNamespace, ...process.env });
  const connection = await Connection.connect({ ...(await settings.connectionOptions()), connectTimeout: 5000 });
  try {
    const client = new Client({ connection, namespace: settings.namespace });
    const rows: string[][] = [];
    const seen = new Set<string>();
    for await (const summary of client.schedule.list()) {
      seen.add(summary.scheduleId);
      // describe() is read from the schedule itself; the list is from visibility, which may lag.
      const d = await client.schedule.getHandle(summary.scheduleId).describe();
      const owner = d.memo?.[OWNER_MEMO];
      rows.push([
        d.scheduleId,
        d.action.type === 'startWorkflow' ? d.action.workflowType : d.action.type,
        d.state.paused ? 'paused' : 'active',
        typeof owner === 'string' ? `code (${owner})` : 'not in code',
        d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()).join(', ') || '-',
      ]);
    }
    for (const missing of SCHEDULES.filter((s) => !seen.has(s.id))) rows.push([missing.id, missing.workflow, 'missing', 'code: not created yet (start the worker)', '-']);
    if (rows.length === 0) {
      console.log(`no schedules in namespace ${settings.namespace} at ${settings.address}`);
      return;
    }
    const header = ['schedule', 'workflow', 'state', 'declared in', 'next runs (UTC)'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  } finally {
    await connection.close();
  }
});

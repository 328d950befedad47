import type { DrillReport } from './drill';
import { ORDER_FAULTS, THROTTLE_MS, throttledFunction } from './drill';

/** One row of the drill's table: a fault, how often it was injected, how often it was survived. */
export interface FaultRow {
  fault: string;
  injected: number;
  survived: number;
  note: string;
}

/** One row of what went missing or happened twice (all must be 0). */
export interface LossRow {
  what: string;
  count: number;
  detail: string;
}

export function faultRows(report: DrillReport): FaultRow[] {
  const { attempts, endings, chaos, options } = report;
  const ended = endings.filter((e) => e.status !== 'STILL RUNNING').length;
  const rows: FaultRow[] = [];
  // A step in flight when its worker died is retried once Temporal times it out (heartbeat or start-to-close).
  const lostToKills = attempts.filter((a) => a.lastFailure?.startsWith('timeout (')).length;
  rows.push({ fault: 'worker SIGKILL + restart', injected: chaos.workerKills, survived: ended === endings.length ? chaos.workerKills : 0, note: `${lostToKills} steps in flight retried after Temporal timed them out` });
  if (options.lambdaFaults && options.orders > 0) {
    for (const f of ORDER_FAULTS) {
      const steps = attempts.filter((a) => a.step === f.fault.step);
      // Every first attempt is faulted, but Temporal keeps only the failure before the last attempt: a
      // first attempt lost with a killed worker shows as a timeout instead, and is counted there.
      const hit = steps.filter((a) => a.lastFailure !== undefined && f.evidence.test(a.lastFailure));
      const survived = hit.filter((a) => a.outcome === 'completed').length;
      const other = steps.length - hit.length;
      rows.push({ fault: f.label, injected: hit.length, survived, note: `retried, then completed${other > 0 ? `; ${other} first attempts lost to a worker kill or a 429 instead` : ''}` });
    }
  }
  if (options.lambdaFaults) {
    const throttled = attempts.filter((a) => a.lastFailure !== undefined && /TooManyRequests|Throttl|Rate Exceeded/i.test(a.lastFailure));
    rows.push({ fault: `throttling (${throttledFunction(options)}, concurrency 0 for ${THROTTLE_MS / 1000} s)`, injected: chaos.throttleWindows, survived: chaos.throttleWindows, note: `${throttled.length} steps retried after a 429` });
  }
  if (report.workerExits.length > 0) rows.push({ fault: 'worker exited by itself (restarted)', injected: report.workerExits.length, survived: ended === endings.length ? report.workerExits.length : 0, note: report.workerExits[0]!.slice(0, 120) });
  if (options.temporalRestart) rows.push({ fault: 'Temporal server restart', injected: chaos.temporalRestarts, survived: ended === endings.length ? chaos.temporalRestarts : 0, note: 'same SQLite database' });
  const declinedCharges = attempts.filter((a) => a.step === 'chargePayment' && endings.some((e) => e.workflow.declined && e.workflow.workflowId === a.workflowId));
  // A declined charge may still reach a second attempt when its worker died during the first; what must never happen is an attempt after the decline.
  const neverRetried = declinedCharges.filter((a) => a.outcome === 'failed' && a.lastFailure !== 'PaymentDeclined');
  rows.push({ fault: 'business error (PaymentDeclined)', injected: declinedCharges.length, survived: neverRetried.length, note: 'survived = failed, and no attempt followed the decline' });
  return rows;
}

export function lossRows(report: DrillReport): LossRow[] {
  const { endings, census } = report;
  const open = endings.filter((e) => e.status === 'STILL RUNNING');
  const wrong = endings.filter((e) => e.status !== 'STILL RUNNING' && !endedAsExpected(e));
  const epochs = census.repeatedSteps.get('trainEpoch') ?? [];
  const stockOff = census.stock.available - census.stock.expected;
  return [
    { what: 'workflows still open at the end', count: open.length, detail: open.slice(0, 3).map((e) => e.workflow.workflowId).join(' ') },
    { what: 'workflows ended otherwise than expected', count: wrong.length, detail: wrong.slice(0, 3).map((e) => `${e.workflow.workflowId}: ${e.status} ${e.failureType ?? ''}`).join('; ') },
    { what: `LocalStack over ${(report.options.memoryLimitBytes / 1024 ** 3).toFixed(0)} GB (peak RSS)`, count: report.memory.peakBytes > report.options.memoryLimitBytes ? 1 : 0, detail: `peak ${(report.memory.peakBytes / 1024 ** 3).toFixed(2)} GB` },
    { what: 'charges made twice', count: census.charges.doubled.length, detail: `${census.charges.effects} logged for ${census.charges.records} charged orders` },
    { what: 'shipments created twice', count: census.shipments.doubled.length, detail: `${census.shipments.effects} logged for ${census.shipments.records} shipped orders` },
    { what: 'reservations made twice', count: census.reservations.doubled.length, detail: `${census.reservations.effects} reservations` },
    { what: 'stock off (available - expected)', count: stockOff, detail: `initial ${census.stock.initial}, held by orders ${census.stock.held}, available ${census.stock.available}` },
    { what: 'epochs trained twice', count: epochs.length, detail: `${census.stepRuns.get('trainEpoch') ?? 0} epochs run` },
    { what: 'checkpoints saved twice', count: census.checkpoints.doubled.length, detail: `${census.checkpoints.manifests} manifests in S3` },
    { what: 'file analyses run twice', count: census.fileAnalyses.doubled.length, detail: `${census.fileAnalyses.records} analysis records` },
  ];
}

/** Orders complete unless declined (then FAILED with PaymentDeclined); trainings and analyses complete. */
export function endedAsExpected(e: DrillReport['endings'][number]): boolean {
  if (e.workflow.declined) return e.status === 'FAILED' && e.failureType === 'PaymentDeclined';
  return e.status === 'COMPLETED';
}

function rerunSummary(report: DrillReport): string {
  const reruns = [...report.census.repeatedSteps].map(([step, ids]) => `${step} ×${ids.length}`);
  return reruns.length === 0 ? 'none' : reruns.join(', ');
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function formatReport(report: DrillReport): string {
  const faults = faultRows(report);
  const losses = lossRows(report);
  const gb = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GB`;
  const o = report.options;
  return [
    `Drill ${report.runId}: ${o.orders} orders, ${o.trainings} trainings, ${o.analyses} analyses; ${(report.durationMs / 1000).toFixed(0)} s`,
    '',
    table(['fault', 'injected', 'survived', 'evidence'], faults.map((r) => [r.fault, String(r.injected), String(r.survived), r.note])),
    '',
    table(['lost or doubled', 'count', 'detail'], losses.map((r) => [r.what, String(r.count), r.detail])),
    '',
    `Steps run to completion more than once (a retry after a lost answer; their effects are counted above): ${rerunSummary(report)}`,
    `Steps retried after a 429 (throttled): ${report.attempts.filter((a) => a.lastFailure !== undefined && /TooManyRequests/.test(a.lastFailure)).length}`,
    `LocalStack and its children (Lambda runtimes, DynamoDB Local): peak RSS ${gb(report.memory.peakBytes)} with at most ${report.memory.peakRuntimes} Lambda runtime processes; ${gb(report.memory.lastBytes)} at the end`,
  ].join('\n');
}

/** True when nothing was lost or doubled and every fault was survived. */
export function drillPassed(report: DrillReport): boolean {
  return lossRows(report).every((r) => r.count === 0) && faultRows(report).every((r) => r.survived === r.injected);
}

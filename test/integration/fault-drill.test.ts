import { runDrill } from '../../scripts/drill/drill';
import { drillPassed, faultRows, formatReport, lossRows } from '../../scripts/drill/report';

/**
 * The fault drill (`npm run drill`), short: orders, a training and an analysis in flight while the
 * drill's own worker (worker/main.ts in a child process on the drill's task queue, as
 * analysis-crash.test.ts runs it) is SIGKILLed and restarted, with a crash, a crash after the
 * effect, a 5xx and a timeout set on the order saga's real functions through the Lambda API and a
 * function throttled to concurrency 0. The Temporal server restart stays in `npm run drill`: the test
 * run's other users (the shared worker) would have to survive it too.
 */
jest.setTimeout(600_000);

describe('fault drill (short)', () => {
  it('ends every workflow with nothing lost or doubled, every fault retried, business errors never', async () => {
    const report = await runDrill({ orders: 10, trainings: 1, analyses: 1, kills: 2, lambdaFaults: true, temporalRestart: false, timeLimitMs: 420_000, memoryLimitBytes: 6 * 1024 ** 3, log: () => undefined });
    console.log(formatReport(report));

    for (const row of lossRows(report)) expect({ what: row.what, count: row.count }).toEqual({ what: row.what, count: 0 });
    const faults = faultRows(report);
    for (const row of faults) expect({ fault: row.fault, survived: row.survived }).toEqual({ fault: row.fault, survived: row.injected });
    // The faults really fired: Temporal recorded each kind as the failure a retry followed.
    const lambdaFaults = faults.filter((r) => /crash|5xx|timeout/.test(r.fault));
    expect(lambdaFaults.reduce((n, r) => n + r.injected, 0)).toBeGreaterThanOrEqual(10);
    expect(faults.find((r) => r.fault.startsWith('business error'))?.injected).toBe(1);
    expect(report.chaos.workerKills).toBe(2);
    expect(report.census.charges.records).toBe(9);
    expect(drillPassed(report)).toBe(true);
  });
});

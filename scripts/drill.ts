import '../runtime/aws-sdk-node-warning';
import { runDrill, type DrillOptions } from './drill/drill';
import { drillPassed, formatReport } from './drill/report';
import { runMain } from './run-main';

/**
 * `npm run drill -- [--orders N] [--trainings N] [--analyses N] [--kills K] [--no-lambda-faults]
 * [--no-temporal-restart] [--time-limit SECONDS] [--memory-limit-gb GB]`: the fault drill against the local cloud (see
 * scripts/drill/drill.ts). Exits 1 when anything was lost or doubled or a fault was not survived.
 */
const usage = 'usage: npm run drill -- [--orders N] [--trainings N] [--analyses N] [--kills K] [--no-lambda-faults] [--no-temporal-restart] [--time-limit SECONDS] [--memory-limit-gb GB]';

export function parseDrillArgs(argv: string[]): DrillOptions {
  const options: DrillOptions = { orders: 20, trainings: 2, analyses: 2, kills: 3, lambdaFaults: true, temporalRestart: true, timeLimitMs: 600_000, memoryLimitBytes: 6 * 1024 ** 3 };
  const counts = { '--orders': 'orders', '--trainings': 'trainings', '--analyses': 'analyses', '--kills': 'kills' } as const;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-lambda-faults') options.lambdaFaults = false;
    else if (arg === '--no-temporal-restart') options.temporalRestart = false;
    else if (arg === '--memory-limit-gb') {
      const raw = argv[++i];
      const value = Number(raw);
      if (raw === undefined || !(value > 0)) throw new Error(`--memory-limit-gb must be a positive number, got ${JSON.stringify(raw ?? null)}\n${usage}`);
      options.memoryLimitBytes = value * 1024 ** 3;
    } else if (arg === '--time-limit' || arg in counts) {
      const raw = argv[++i];
      const value = Number(raw);
      if (raw === undefined || !Number.isSafeInteger(value) || value < 0) throw new Error(`${arg} must be a whole number ≥ 0, got ${JSON.stringify(raw ?? null)}\n${usage}`);
      if (arg === '--time-limit') {
        if (value < 30) throw new Error(`--time-limit must be at least 30 seconds, got ${value}\n${usage}`);
        options.timeLimitMs = value * 1000;
      } else options[counts[arg as keyof typeof counts]] = value;
    } else throw new Error(`unknown argument ${JSON.stringify(arg)}\n${usage}`);
  }
  return options;
}

if (require.main === module) {
  runMain(async () => {
    const options = parseDrillArgs(process.argv.slice(2));
    const report = await runDrill(options);
    console.log(`\n${formatReport(report)}`);
    const passed = drillPassed(report);
    console.log(passed ? '\nNothing lost, nothing doubled; every fault survived.' : '\nDRILL FAILED: see the rows above that are not zero or not survived.');
    if (!passed) process.exitCode = 1;
  });
}

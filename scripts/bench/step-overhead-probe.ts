import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { freePort } from '../../infra/local/processes';
import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { DEV_SERVER_DYNAMIC_CONFIG, devServerDynamicConfigArgs, ensureTemporalCli } from '../../infra/local/temporal';
import { runMain } from '../run-main';
import type { StepOverheadActivities, noopSteps } from './step-overhead-workflow';

/**
 * How long one workflow step (a no-op activity) takes on a Temporal server, step by step (issue 11).
 *
 *   npx tsx scripts/bench/step-overhead-probe.ts [--steps 50] [--workflows 1]
 *     starts two throwaway in-memory dev servers on free ports, one stock and one with the dynamic
 *     config `npm start` uses (infra/local/temporal.ts), and compares them and local activities;
 *   ... --address host:port [--kind activity|local]   probes a server that is already running.
 */
export interface ProbeOptions {
  address: string;
  steps: number;
  workflows: number;
  kind: 'activity' | 'local';
}

/** One workflow's curve: ms from the previous step's start (for step 1, from the start request) to this step's start. */
export interface StepCurve {
  perStepMs: number[];
  wallMs: number;
}

function parseArgs(argv: string[]): ProbeOptions {
  const options: ProbeOptions = { address: '', steps: 50, workflows: 1, kind: 'activity' };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--address') options.address = value;
    else if (flag === '--steps' || flag === '--workflows') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`${flag} must be a whole number from 1 to 1000, got "${value}"`);
      options[flag === '--steps' ? 'steps' : 'workflows'] = n;
    } else if (flag === '--kind') {
      if (value !== 'activity' && value !== 'local') throw new Error(`--kind must be "activity" or "local", got "${value}"`);
      options.kind = value;
    } else throw new Error(`unknown option ${flag} (known: --address, --steps, --workflows, --kind)`);
  }
  return options;
}

/** Runs `workflows` probe workflows at once on `address` and returns each one's curve. */
export async function probeStepOverhead(options: ProbeOptions): Promise<StepCurve[]> {
  const starts = new Map<string, number[]>();
  const activities: StepOverheadActivities = {
    noop(): Promise<void> {
      // Always set here: the probe's activities only run inside its workflows.
      starts.get(Context.current().info.workflowExecution?.workflowId ?? '')?.push(performance.now());
      return Promise.resolve();
    },
  };
  const taskQueue = `step-overhead-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address: options.address });
  const connection = await Connection.connect({ address: options.address });
  try {
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath: require.resolve('./step-overhead-workflow'), activities });
    const client = new Client({ connection });
    const run = async (steps: number): Promise<StepCurve> => {
      const workflowId = `step-overhead-${randomUUID()}`;
      const stamps: number[] = [];
      starts.set(workflowId, stamps);
      const t0 = performance.now();
      await client.workflow.execute<typeof noopSteps>('noopSteps', { taskQueue, workflowId, args: [steps, options.kind] });
      const wallMs = performance.now() - t0;
      return { perStepMs: stamps.map((t, i) => t - (i === 0 ? t0 : stamps[i - 1]!)), wallMs };
    };
    return await worker.runUntil(async () => {
      await run(2); // warm-up: workflow bundle, sticky cache, connections
      return Promise.all(Array.from({ length: options.workflows }, () => run(options.steps)));
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

/** Mean ms per step over steps `from`..`to` (1-based, inclusive), across all curves. */
export function meanStepMs(curves: StepCurve[], from: number, to: number): number {
  const values = curves.flatMap((c) => c.perStepMs.slice(from - 1, to));
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const BANDS: readonly [number, number][] = [[1, 10], [15, 20], [40, 50]];

function describeCurves(label: string, curves: StepCurve[], steps: number): string {
  const bands = BANDS.map(([a, b]) => `${meanStepMs(curves, Math.min(a, steps), Math.min(b, steps)).toFixed(1).padStart(6)}`).join(' ');
  const wall = Math.max(...curves.map((c) => c.wallMs));
  const curve = Array.from({ length: steps }, (_, i) => meanStepMs(curves, i + 1, i + 1).toFixed(0)).join(' ');
  return `${label.padEnd(60)} ${bands} ${wall.toFixed(0).padStart(7)}\n    per step: ${curve}`;
}

const HEADER = `${'ms per step, mean over steps'.padEnd(60)} ${'1-10'.padStart(6)} ${'15-20'.padStart(6)} ${'40-50'.padStart(6)} ${'wall ms'.padStart(7)}`;

async function answers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 }).catch(() => undefined);
  if (connection === undefined) return false;
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}

/** Runs `body` against a throwaway in-memory dev server with `extraArgs`, then stops that server (only it). */
async function withDevServer<T>(extraArgs: string[], body: (address: string) => Promise<T>): Promise<T> {
  const cli = await ensureTemporalCli();
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(await freePort()), '--headless', '--log-level', 'error', ...extraArgs];
  const server = spawn(cli, args, { env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' }, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 60000;
    while (!(await answers(address))) {
      if (server.exitCode !== null) throw new Error(`the dev server exited with code ${server.exitCode}: ${cli} ${args.join(' ')}`);
      if (Date.now() > deadline) throw new Error(`the dev server on ${address} did not answer within 60 s: ${cli} ${args.join(' ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return await body(address);
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
}

async function compareServers(options: Omit<ProbeOptions, 'address' | 'kind'>): Promise<void> {
  const ours = Object.entries(DEV_SERVER_DYNAMIC_CONFIG).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
  console.log(`${options.steps} no-op steps, ${options.workflows} workflow(s) at once, on throwaway in-memory dev servers\n${HEADER}`);
  const stock = await withDevServer([], (address) => probeStepOverhead({ ...options, address, kind: 'activity' }));
  console.log(describeCurves('activities, stock dev server', stock, options.steps));
  const tuned = await withDevServer(devServerDynamicConfigArgs(), async (address) => {
    const activity = await probeStepOverhead({ ...options, address, kind: 'activity' });
    console.log(describeCurves(`activities, ${ours}`, activity, options.steps));
    const local = await probeStepOverhead({ ...options, address, kind: 'local' });
    console.log(describeCurves(`local activities, ${ours}`, local, options.steps));
    return activity;
  });
  const late = (curves: StepCurve[]) => meanStepMs(curves, Math.min(40, options.steps), options.steps);
  console.log(`steps 40-${options.steps}: stock ÷ ours = ${(late(stock) / late(tuned)).toFixed(2)}`);
}

if (require.main === module) {
  runMain(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const { address, ...options } = parseArgs(process.argv.slice(2));
    if (address === '') return compareServers(options);
    const curves = await probeStepOverhead({ ...options, address });
    console.log(`${HEADER}\n${describeCurves(`${options.kind}, ${address}`, curves, options.steps)}`);
  });
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { localAwsClientConfig, temporalAddress } from '../infra/local/config';
import { readStackOutputs } from '../infra/local/deploy';
import { CompactTree, canonicalBytes, leafHash } from '../runtime/audit';
import { textStats } from '../lambdas/text-stats/steps';
import { createStepActivities } from '../runtime/lambda/activity';
import { DEFAULT_WORKER_TUNING, workerTuningOptions } from '../worker/config';
import { benchAuditLog } from './bench/audit-log';
import { benchCheckpoints } from './bench/checkpoints';
import { header, median, row, timed } from './bench/measure';
import { meanStepMs, probeStepOverhead } from './bench/step-overhead-probe';
import { runMain } from './run-main';
import type { sequentialLambdaSteps } from './bench/bench-workflow';

/**
 * `npm run bench`: each figure is a ratio against a baseline measured in the same run, on the same
 * machine and endpoint, so it says what our layer costs rather than how fast this machine is.
 * Needs the local cloud already up (`npm run local:up`): it reads the deployed stack's outputs and
 * starts nothing. `npm run bench -- checkpoints audit` runs only the benchmarks named.
 */
const aws = localAwsClientConfig;

async function benchMerkle(): Promise<void> {
  const events = Array.from({ length: 50_000 }, (_, i) => canonicalBytes({ seq: i, type: 'activity.completed', workflowId: `wf-${i % 97}`, outputSha256: randomBytes(32).toString('hex') }));
  const runs = 3;
  const raw: number[] = [];
  const merkle: number[] = [];
  for (let r = 0; r < runs; r++) {
    raw.push(await timed(() => events.forEach((e) => createHash('sha256').update(e).digest())));
    merkle.push(
      await timed(() => {
        const tree = CompactTree.empty();
        for (const e of events) {
          tree.append(leafHash(e));
          tree.root();
        }
      }),
    );
  }
  const perSec = (ms: number) => (events.length / ms) * 1000;
  row('Merkle append + root, per event', `${Math.round(perSec(median(merkle)))}/s`, `${Math.round(perSec(median(raw)))}/s`, perSec(median(merkle)) / perSec(median(raw)));
}

/**
 * Lambda steps against direct Invokes of the same function (issue 11): pipelines of 1, 10 and 50
 * sequential text-stats steps, as activities (sync) and as local activities, each against the same
 * number of Invokes one after another; then 20 such 10-step pipelines at once against 20 chains of
 * 10 Invokes at once. The kinds take turns within each round, so machine load falls on all alike.
 */
async function benchLambdaSteps(functionName: string): Promise<void> {
  const lambda = new LambdaClient(aws);
  const envelope = { input: { jobId: 'bench', text: 'one two three four five' }, meta: { workflowId: 'bench', runId: 'bench', activityId: '1', attempt: 1, idempotencyKey: 'bench/1' } };
  const invoke = () => lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(envelope)) }));
  const chain = async (steps: number) => {
    for (let i = 0; i < steps; i++) await invoke();
  };
  const pipelines = 20;
  // Warm as many execution environments as the concurrent rows use, for both sides.
  await Promise.all(Array.from({ length: pipelines }, () => invoke()));

  const taskQueue = `bench-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./bench/bench-workflow'),
      activities: createStepActivities({ lambda, functions: { [textStats.name]: functionName } }, Object.values(textStats.steps)),
      // The production worker's slot and poller settings (worker/config.ts), so the throughput row measures them.
      ...workerTuningOptions(DEFAULT_WORKER_TUNING),
    });
    const client = new Client({ connection });
    const run = (steps: number, mode: 'sync' | 'local') =>
      client.workflow.execute<typeof sequentialLambdaSteps>('sequentialLambdaSteps', { taskQueue, workflowId: `bench-${randomUUID()}`, args: [steps, mode] });
    await worker.runUntil(async () => {
      await run(1, 'sync'); // warm-up: workflow bundle, caches
      await run(1, 'local');
      for (const [steps, rounds] of [[1, 15], [10, 5], [50, 2]] as const) {
        const times = { direct: [] as number[], sync: [] as number[], local: [] as number[], empty: [] as number[] };
        for (let r = 0; r < rounds; r++) {
          times.direct.push(await timed(() => chain(steps)));
          times.sync.push(await timed(() => run(steps, 'sync')));
          times.local.push(await timed(() => run(steps, 'local')));
          // A workflow of no steps: what starting a workflow and reading its result costs, whatever its steps.
          if (steps === 1) times.empty.push(await timed(() => run(0, 'sync')));
        }
        const per = (ms: number[]) => median(ms) / steps;
        const direct = per(times.direct);
        const label = `${steps} step${steps === 1 ? '' : 's'}`;
        row(`Lambda step vs direct Invoke, ${label}, per step`, `${per(times.sync).toFixed(1)} ms`, `${direct.toFixed(1)} ms`, per(times.sync) / direct);
        row(`local Lambda step vs direct Invoke, ${label}, per step`, `${per(times.local).toFixed(1)} ms`, `${direct.toFixed(1)} ms`, per(times.local) / direct);
        if (steps === 1) row('workflow of no steps, start to result, vs direct Invoke', `${median(times.empty).toFixed(1)} ms`, `${direct.toFixed(1)} ms`, median(times.empty) / direct);
      }
      const steps = 10;
      const all = (fn: () => Promise<unknown>) => timed(() => Promise.all(Array.from({ length: pipelines }, fn)));
      const times = { direct: [] as number[], sync: [] as number[], local: [] as number[] };
      for (let r = 0; r < 3; r++) {
        times.direct.push(await all(() => chain(steps)));
        times.sync.push(await all(() => run(steps, 'sync')));
        times.local.push(await all(() => run(steps, 'local')));
      }
      const [direct, sync, local] = [median(times.direct), median(times.sync), median(times.local)];
      const rate = (ms: number) => (pipelines * steps * 1000) / ms;
      row(`${pipelines}×${steps} Lambda steps at once vs ${pipelines} Invoke chains`, `${rate(sync).toFixed(0)} steps/s`, `${rate(direct).toFixed(0)} steps/s`, rate(sync) / rate(direct));
      row(`${pipelines}×${steps} local Lambda steps at once vs ${pipelines} Invoke chains`, `${rate(local).toFixed(0)} steps/s`, `${rate(direct).toFixed(0)} steps/s`, rate(local) / rate(direct));
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

/** A no-op step through the task queue vs the same step as a local activity: what dispatching a step costs (issue 11). */
async function benchStepDispatch(): Promise<void> {
  const steps = 50;
  // Steps 21-50: past the first 20, which a stock dev server serves from its read burst (scripts/bench/step-overhead-probe.ts).
  const late = async (kind: 'activity' | 'local') => meanStepMs(await probeStepOverhead({ address: temporalAddress, steps, workflows: 1, kind }), 21, steps);
  const activity = await late('activity');
  const local = await late('local');
  row('no-op activity vs local activity, per step', `${activity.toFixed(1)} ms`, `${local.toFixed(1)} ms`, activity / local);
}

const BENCHMARKS = ['merkle', 'checkpoints', 'audit', 'lambda', 'dispatch'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

/** The benchmarks named on the command line (`npm run bench -- checkpoints audit`), or all of them. */
function selected(args: string[]): Set<Benchmark> {
  for (const name of args) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`unknown benchmark "${name}": choose from ${BENCHMARKS.join(', ')}`);
  }
  return new Set(args.length === 0 ? BENCHMARKS : (args as Benchmark[]));
}

runMain(async () => {
  const which = selected(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // Reads the deployed stack's outputs only: the cloud must already be up; nothing is started here.
  const outputs = readStackOutputs();
  header();
  if (which.has('merkle')) await benchMerkle();
  if (which.has('checkpoints')) await benchCheckpoints(outputs.DataBucketName);
  if (which.has('audit')) await benchAuditLog(outputs);
  if (which.has('lambda')) await benchLambdaSteps((JSON.parse(outputs.WorkerFunctions) as Record<string, string>).textStats!);
  if (which.has('dispatch')) await benchStepDispatch();
  console.log('ratio: ours ÷ baseline for throughput (higher is better), for latency the slowdown (1.0 = no overhead).');
});

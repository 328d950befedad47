import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { localAwsClientConfig, temporalAddress } from '../infra/local/config';
import { readStackOutputs } from '../infra/local/deploy';
import { CompactTree, canonicalBytes, leafHash } from '../runtime/audit';
import { CheckpointStore, type CheckpointManifest } from '../runtime/checkpoints';
import { textStats } from '../lambdas/text-stats/steps';
import { createStepActivities } from '../runtime/lambda/activity';
import { runMain } from './run-main';
import type { sequentialLambdaSteps } from './bench/bench-workflow';
import { meanStepMs, probeStepOverhead } from './bench/step-overhead-probe';

/**
 * `npm run bench`: each figure is a ratio against a baseline measured in the same run, on the same
 * machine and endpoint, so it says what our layer costs rather than how fast this machine is.
 * Needs the local cloud (`npm run local:up`).
 */
const aws = localAwsClientConfig;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function row(what: string, ours: string, baseline: string, ratio: number): void {
  console.log(`${what.padEnd(44)} ${ours.padStart(16)} ${baseline.padStart(16)} ${ratio.toFixed(2).padStart(7)}`);
}

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

async function benchCheckpoints(bucket: string): Promise<void> {
  const s3 = new S3Client({ ...aws, forcePathStyle: true });
  const store = new CheckpointStore({ s3, bucket, prefix: `bench/${randomUUID()}/` });
  const sizeMb = 64;
  const mbps = (ms: number) => (sizeMb / ms) * 1000;
  const save: number[] = [];
  const put: number[] = [];
  const load: number[] = [];
  const get: number[] = [];
  for (let r = 0; r < 3; r++) {
    const blob = randomBytes(sizeMb * 1024 * 1024); // fresh bytes: no deduplication shortcut
    const key = `bench/raw/${randomUUID()}`;
    put.push(await timed(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: blob }))));
    // The raw object lives under another key, so the store's content-addressed deduplication cannot skip this upload.
    let manifest: CheckpointManifest | undefined;
    save.push(await timed(async () => (manifest = await store.save('bench-run', { step: r, blob }))));
    get.push(await timed(async () => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()));
    load.push(await timed(() => store.load('bench-run', manifest!.checkpointId)));
  }
  row(`checkpoint save ${sizeMb} MB vs PutObject`, `${mbps(median(save)).toFixed(0)} MB/s`, `${mbps(median(put)).toFixed(0)} MB/s`, mbps(median(save)) / mbps(median(put)));
  row(`checkpoint load ${sizeMb} MB vs GetObject`, `${mbps(median(load)).toFixed(0)} MB/s`, `${mbps(median(get)).toFixed(0)} MB/s`, mbps(median(load)) / mbps(median(get)));
}

async function benchLambdaActivity(functionName: string): Promise<void> {
  const lambda = new LambdaClient(aws);
  const steps = 20;
  const envelope = { input: { jobId: 'bench', text: 'one two three four five' }, meta: { workflowId: 'bench', runId: 'bench', activityId: '1', attempt: 1, idempotencyKey: 'bench/1' } };
  const invoke = () => lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(envelope)) }));
  await invoke(); // warm the execution environment for both sides
  const direct = await timed(async () => {
    for (let i = 0; i < steps; i++) await invoke();
  });

  const taskQueue = `bench-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./bench/bench-workflow'),
      activities: createStepActivities({ lambda, functions: { [textStats.name]: functionName } }, Object.values(textStats.steps)),
    });
    const client = new Client({ connection });
    const run = (n: number) => client.workflow.execute<typeof sequentialLambdaSteps>('sequentialLambdaSteps', { taskQueue, workflowId: `bench-${randomUUID()}`, args: [n] });
    const viaTemporal = await worker.runUntil(async () => {
      await run(1); // warm-up: workflow bundle, caches
      return timed(() => run(steps));
    });
    const per = (ms: number) => ms / steps;
    row('Lambda-backed activity vs direct Invoke (ms)', `${per(viaTemporal).toFixed(1)} ms`, `${per(direct).toFixed(1)} ms`, per(viaTemporal) / per(direct));
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

runMain(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const outputs = readStackOutputs();
  console.log(`${'benchmark'.padEnd(44)} ${'ours'.padStart(16)} ${'baseline'.padStart(16)} ${'ratio'.padStart(7)}`);
  await benchMerkle();
  await benchCheckpoints(outputs.DataBucketName);
  await benchLambdaActivity((JSON.parse(outputs.WorkerFunctions) as Record<string, string>).textStats!);
  await benchStepDispatch();
  console.log('ratio: ours ÷ baseline for throughput (higher is better), for latency the slowdown (1.0 = no overhead).');
});

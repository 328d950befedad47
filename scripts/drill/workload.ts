import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { StackOutputs } from '../../infra/local/deploy';
import { repoRoot } from '../../infra/local/paths';
import type { AnalysisInput } from '../../workflows/analysis/types';
import type { OrderInput } from '../../workflows/orders/types';
import type { TrainingRequest } from '../../workflows/training/types';
import { restock } from '../demo/order';
import { uploadSnapshot } from '../upload-snapshot';
import { output } from './outputs';

/** How much work the drill puts in flight at once. */
export interface WorkloadSize {
  orders: number;
  trainings: number;
  analyses: number;
}

export type Kind = 'order' | 'training' | 'analysis';

/** One workflow the drill started, and what it should end as. */
export interface DrillWorkflow {
  kind: Kind;
  workflowId: string;
  handle: WorkflowHandle;
  /** An order whose card is declined: it must fail with PaymentDeclined after one charge attempt. */
  declined?: boolean;
  quantity?: number;
}

/** Every tenth order pays with the test card that is always declined: a business error, never retried. */
const DECLINED_CARD = '4000000000000002';
const GOOD_CARD = '4242424242424242';
const address = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

export interface Workload {
  workflows: DrillWorkflow[];
  sku: string;
  initialStock: number;
}

/** Seeds stock and a snapshot, then starts every workflow on the drill's task queue, all at once. */
export async function startWorkload(client: Client, outputs: StackOutputs, s3: S3Client, opts: { runId: string; taskQueue: string; size: WorkloadSize }): Promise<Workload> {
  const { runId, taskQueue, size } = opts;
  const sku = `drill-${runId}`;
  const quantities = Array.from({ length: size.orders }, (_, i) => 1 + (i % 3));
  // Enough for every order, plus a margin: InsufficientStock is not a fault the drill injects.
  const initialStock = quantities.reduce((a, b) => a + b, 0) + 10;
  if (size.orders > 0) await restock(sku, initialStock, 'Drill widget');
  const snapshot = size.analyses > 0 ? await uploadSnapshot({ source: join(repoRoot, 'test', 'testdata', 'sample-repo'), bucket: output(outputs, 'AnalysisSnapshotBucketName'), s3 }) : undefined;

  const starts: Array<Promise<DrillWorkflow>> = [];
  for (let i = 0; i < size.orders; i++) {
    const declined = i % 10 === 9;
    const orderId = `drill-${runId}-${i}`;
    const input: OrderInput = {
      orderId,
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
      items: [{ sku, quantity: quantities[i]!, unitPrice: 10 }],
      payment: { cardNumber: declined ? DECLINED_CARD : GOOD_CARD },
      shippingAddress: address,
      deliveryWindow: '1 second',
    };
    const workflowId = `${runId}-order-${i}`;
    starts.push(client.workflow.start('orderProcessing', { taskQueue, workflowId, args: [input] }).then((handle) => ({ kind: 'order', workflowId, handle, declined, quantity: quantities[i]! })));
  }
  for (let i = 0; i < size.trainings; i++) {
    const request: TrainingRequest = {
      trainingId: `${runId}-t${i}`,
      modelId: `drill-${runId}-model-${i}`,
      dataset: { kind: 'gaussian-clusters', classes: 3, samplesPerClass: 60, features: 4, seed: 7 },
      epochs: 6,
      hyperparameters: { learningRate: 0.05, batchSize: 16 },
      seed: i,
      checkpointEvery: 2,
    };
    const workflowId = `${runId}-training-${i}`;
    starts.push(client.workflow.start('trainingWorkflow', { taskQueue, workflowId, args: [request] }).then((handle) => ({ kind: 'training', workflowId, handle })));
  }
  for (let i = 0; i < size.analyses; i++) {
    const input: AnalysisInput = { analysisId: `${runId}-a${i}`, snapshot: { prefix: snapshot!.prefix }, budget: 10, parallelism: 2, refactor: false };
    const workflowId = `${runId}-analysis-${i}`;
    starts.push(client.workflow.start('codebaseAnalysis', { taskQueue, workflowId, args: [input] }).then((handle) => ({ kind: 'analysis', workflowId, handle })));
  }
  return { workflows: await Promise.all(starts), sku, initialStock };
}

/** How a workflow ended. */
export interface Ending {
  workflow: DrillWorkflow;
  status: string;
  failureType?: string;
}

/** Waits until every workflow has closed, or the deadline passes (then the open ones are reported as such). */
export async function awaitEndings(workload: Workload, deadline: number): Promise<Ending[]> {
  const pending = new Set(workload.workflows);
  const endings: Ending[] = [];
  while (pending.size > 0 && Date.now() < deadline) {
    for (const wf of [...pending]) {
      const desc = await wf.handle.describe();
      if (desc.status.name === 'RUNNING' || desc.status.name === 'CONTINUED_AS_NEW') continue;
      pending.delete(wf);
      let failureType: string | undefined;
      if (desc.status.name === 'FAILED') {
        failureType = await wf.handle.result().then(
          () => undefined,
          (err: unknown) => failureTypeOf(err),
        );
      }
      endings.push({ workflow: wf, status: desc.status.name, ...(failureType ? { failureType } : {}) });
    }
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  for (const wf of pending) endings.push({ workflow: wf, status: 'STILL RUNNING' });
  return endings;
}

function failureTypeOf(err: unknown): string {
  let cause = err as { cause?: unknown; type?: string } | undefined;
  while (cause?.cause !== undefined && cause.type === undefined) cause = cause.cause as typeof cause;
  return cause?.type ?? 'unknown';
}

import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StackOutputs } from '../../infra/local/deploy';
import { CheckpointStore } from '../../runtime/checkpoints';
import { output } from './outputs';
import type { Workload } from './workload';

/**
 * What the functions actually did, counted from their own records rather than from the workflows'
 * final states: each function's log lines in CloudWatch Logs (one "step succeeded" per step run to
 * completion, "charged" / "inventory reserved" per real effect), the payment and inventory tables,
 * the analysis table's per-file records and the checkpoint manifests in S3.
 */
export interface Census {
  /** Completed step runs per step name, all workflows of the drill. */
  stepRuns: Map<string, number>;
  /** Keys (workflow/run/activity) of steps that ran to completion more than once, per step name. */
  repeatedSteps: Map<string, string[]>;
  charges: { effects: number; doubled: string[]; records: number };
  reservations: { effects: number; doubled: string[] };
  shipments: { effects: number; doubled: string[]; records: number };
  stock: { initial: number; available: number; held: number; expected: number };
  fileAnalyses: { records: number; doubled: string[] };
  checkpoints: { manifests: number; doubled: string[] };
}

interface LogLine {
  message?: string;
  workflowId?: string;
  runId?: string;
  activityId?: string;
  step?: string;
  orderId?: string;
}

/** Every JSON log line of the function's group whose workflow id starts with the drill's run id. */
async function logLines(logs: CloudWatchLogsClient, group: string, runId: string, sinceMs: number): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime: sinceMs, nextToken })).catch((err: { name?: string }) => {
      if (err.name === 'ResourceNotFoundException') return { events: [], nextToken: undefined };
      throw err;
    });
    for (const event of page.events ?? []) {
      const text = event.message ?? '';
      const start = text.indexOf('{');
      if (start < 0 || !text.includes(runId)) continue;
      try {
        const line = JSON.parse(text.slice(start)) as LogLine;
        if (line.workflowId?.startsWith(runId)) lines.push(line);
      } catch {
        /* not a JSON line (START/END/REPORT, EMF is JSON but has no workflowId) */
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return lines;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const over1 = (counts: Map<string, number>) => [...counts].filter(([, n]) => n > 1).map(([k]) => k);

export async function takeCensus(
  clients: { logs: CloudWatchLogsClient; dynamo: DynamoDBDocumentClient; s3: S3Client; lambda: LambdaClient },
  outputs: StackOutputs,
  workload: Workload,
  runId: string,
  sinceMs: number,
): Promise<Census> {
  const groups = JSON.parse(output(outputs, 'LogGroups')) as Record<string, string>;
  const byFunction = new Map<string, LogLine[]>();
  for (const [name, group] of Object.entries(groups)) {
    if (name !== 'api') byFunction.set(name, await logLines(clients.logs, group, runId, sinceMs));
  }
  const all = [...byFunction.values()].flat();
  const succeeded = all.filter((l) => l.message === 'step succeeded');
  const stepRuns = countBy(succeeded, (l) => l.step ?? '?');
  const repeatedSteps = new Map<string, string[]>();
  for (const key of over1(countBy(succeeded, (l) => `${l.step}|${l.workflowId}/${l.runId}/${l.activityId}`))) {
    const [step, id] = key.split('|') as [string, string];
    repeatedSteps.set(step, [...(repeatedSteps.get(step) ?? []), id]);
  }

  const charged = (byFunction.get('orderPayment') ?? []).filter((l) => l.message === 'charged');
  const reserved = (byFunction.get('orderInventory') ?? []).filter((l) => l.message === 'inventory reserved');
  const shipped = (byFunction.get('orderShipping') ?? []).filter((l) => l.message === 'shipment created');
  const orders = workload.workflows.filter((w) => w.kind === 'order');

  let chargeRecords = 0;
  let shipmentRecords = 0;
  let held = 0;
  for (const order of orders) {
    const orderId = orderIdOf(order.workflowId, runId);
    const payment = await clients.dynamo.send(new GetCommand({ TableName: output(outputs, 'OrderPaymentsTableName'), Key: { orderId }, ConsistentRead: true }));
    if (payment.Item?.status === 'CHARGED' || payment.Item?.status === 'REFUNDED') chargeRecords++;
    const shipment = await clients.dynamo.send(new GetCommand({ TableName: output(outputs, 'OrderShipmentsTableName'), Key: { orderId }, ConsistentRead: true }));
    if (shipment.Item !== undefined && shipment.Item.status !== 'CANCELLED') shipmentRecords++;
    const reservation = await clients.dynamo.send(new GetCommand({ TableName: output(outputs, 'OrderInventoryTableName'), Key: { pk: `ORDER#${orderId}` }, ConsistentRead: true }));
    if (reservation.Item?.status === 'RESERVED') held += (reservation.Item.items as Array<{ quantity: number }>).reduce((a, l) => a + l.quantity, 0);
  }
  let available = workload.initialStock;
  if (orders.length > 0) {
    const sku = await clients.dynamo.send(new GetCommand({ TableName: output(outputs, 'OrderInventoryTableName'), Key: { pk: `SKU#${workload.sku}` }, ConsistentRead: true }));
    available = Number(sku.Item?.available);
  }

  const fileRecords: string[] = [];
  for (const analysis of workload.workflows.filter((w) => w.kind === 'analysis')) {
    const analysisId = `${runId}-a${analysis.workflowId.split('-').pop()}`;
    const res = await clients.dynamo.send(new QueryCommand({ TableName: output(outputs, 'AnalysisTableName'), KeyConditionExpression: 'analysisId = :a', ExpressionAttributeValues: { ':a': analysisId } }));
    for (const item of res.Items ?? []) if (item.kind === 'analysis') fileRecords.push(`${analysisId} ${String(item.depth)} ${String(item.path)}`);
  }

  const manifests: string[] = [];
  const trainings = workload.workflows.filter((w) => w.kind === 'training');
  if (trainings.length > 0) {
    const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: (JSON.parse(outputs.WorkerFunctions) as Record<string, string>).trainingData! }));
    const vars = config.Environment?.Variables ?? {};
    const store = new CheckpointStore({ s3: clients.s3, bucket: (vars.TRAINING_BUCKET || vars.CLAIM_CHECK_BUCKET)!, prefix: 'training/checkpoints/' });
    for (const t of trainings) {
      const modelId = `drill-${runId}-model-${t.workflowId.split('-').pop()}`;
      for (const m of await store.list(modelId)) manifests.push(`${modelId} step ${m.step}`);
    }
  }

  return {
    stepRuns,
    repeatedSteps,
    charges: { effects: charged.length, doubled: over1(countBy(charged, (l) => l.orderId ?? '?')), records: chargeRecords },
    reservations: { effects: reserved.length, doubled: over1(countBy(reserved, (l) => l.orderId ?? '?')) },
    shipments: { effects: shipped.length, doubled: over1(countBy(shipped, (l) => l.orderId ?? '?')), records: shipmentRecords },
    stock: { initial: workload.initialStock, available, held, expected: workload.initialStock - held },
    fileAnalyses: { records: fileRecords.length, doubled: over1(countBy(fileRecords, (r) => r)) },
    checkpoints: { manifests: manifests.length, doubled: over1(countBy(manifests, (m) => m)) },
  };
}

/** `<runId>-order-<i>` → the order id the workload gave it, `drill-<runId>-<i>`. */
export function orderIdOf(workflowId: string, runId: string): string {
  return `drill-${runId}-${workflowId.slice(`${runId}-order-`.length)}`;
}

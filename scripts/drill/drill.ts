import { randomUUID } from 'node:crypto';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Client, Connection } from '@temporalio/client';
import { localAwsClientConfig, temporalAddress, temporalNamespace } from '../../infra/local/config';
import { readStackOutputs } from '../../infra/local/deploy';
import { localstackPid } from '../../infra/local/localstack';
import { waitUntil } from '../../infra/local/processes';
import { hasWorkflowPollers } from '../../infra/local/worker-service';
import { payloadDataConverter } from '../../runtime/data-converter';
import type { FaultSpec } from '../../runtime/steps/fault-injection';
import { takeCensus, type Census } from './census';
import { runChaos, type ChaosDone } from './chaos';
import { stepAttempts, type StepAttempt } from './histories';
import { LambdaFaults } from './lambda-faults';
import { sampleMemory, type MemoryFigures } from './memory';
import { DrillWorker } from './worker';
import { awaitEndings, startWorkload, type Ending, type WorkloadSize } from './workload';

export interface DrillOptions extends WorkloadSize {
  /** Times the worker is SIGKILLed and restarted. */
  kills: number;
  /** Lambda faults (crash, crash after the effect, timeout, 5xx, throttling) on the order saga's steps. */
  lambdaFaults: boolean;
  temporalRestart: boolean;
  /** The whole drill stops by then, finished or not. */
  timeLimitMs: number;
  /** The most LocalStack and its children may hold (RSS); more is reported as a failure. */
  memoryLimitBytes: number;
  log?: (line: string) => void;
}

/** The faults a drill sets on the order saga's functions, all on each step's first attempt. */
export const ORDER_FAULTS: Array<{ fn: 'orderInventory' | 'orderPayment' | 'orderShipping'; fault: Omit<FaultSpec, 'workflowIdPrefix'>; label: string; evidence: RegExp }> = [
  { fn: 'orderInventory', fault: { step: 'reserveStock', kind: 'crash' }, label: 'Lambda crash (reserveStock)', evidence: /ExitError/ },
  { fn: 'orderPayment', fault: { step: 'chargePayment', kind: 'crash-after' }, label: 'crash after the charge (chargePayment)', evidence: /ExitError/ },
  { fn: 'orderShipping', fault: { step: 'validateAddress', kind: 'service-error' }, label: 'Lambda service 5xx (validateAddress)', evidence: /Service|5\d\d|Internal/i },
  { fn: 'orderShipping', fault: { step: 'createShipment', kind: 'timeout' }, label: 'Lambda timeout (createShipment)', evidence: /Sandbox\.Timedout/ },
];
/** The timeout a timeout fault runs against, instead of the function's 20 s. */
const FAULT_TIMEOUT_SECONDS = 3;
export const THROTTLE_MS = 5000;

/**
 * The function throttled for a while: one whose steps carry no other fault (a 429 on a faulted
 * step's first attempt would stop that fault from firing) and retry long enough to outlast the window.
 */
export function throttledFunction(size: WorkloadSize): 'analyzeFile' | 'evaluateModel' | 'orderPayment' {
  if (size.analyses > 0) return 'analyzeFile';
  return size.trainings > 0 ? 'evaluateModel' : 'orderPayment';
}

export interface DrillReport {
  runId: string;
  options: DrillOptions;
  endings: Ending[];
  attempts: StepAttempt[];
  census: Census;
  chaos: ChaosDone;
  memory: MemoryFigures;
  /** Worker exits the drill did not cause (each restarted), with the last lines the worker printed. */
  workerExits: string[];
  durationMs: number;
}

export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const deadline = started + options.timeLimitMs;
  const outputs = readStackOutputs();
  const functions = JSON.parse(outputs.WorkerFunctions) as Record<string, string>;
  const runId = `drill${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const taskQueue = runId;
  const lambda = new LambdaClient(localAwsClientConfig);
  const s3 = new S3Client({ ...localAwsClientConfig, forcePathStyle: true });
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAwsClientConfig));
  const logs = new CloudWatchLogsClient(localAwsClientConfig);
  const faults = new LambdaFaults(lambda);
  const worker = new DrillWorker(outputs, taskQueue);
  const memory = sampleMemory(localstackPid());
  const connection = await Connection.connect({ address: temporalAddress });
  const dataConverter = payloadDataConverter({ CLAIM_CHECK_BUCKET: outputs.DataBucketName }, { s3 });
  const client = new Client({ connection, namespace: temporalNamespace, ...(dataConverter ? { dataConverter } : {}) });
  // Interrupted (Ctrl-C), the drill still takes its faults off the functions and stops its worker.
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: restoring the functions and stopping the drill's worker`);
    void Promise.allSettled([worker.stop(), faults.restoreAll()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (options.lambdaFaults && options.orders > 0) {
      const byFunction = new Map<string, FaultSpec[]>();
      for (const { fn, fault } of ORDER_FAULTS) byFunction.set(fn, [...(byFunction.get(fn) ?? []), { ...fault, workflowIdPrefix: `${runId}-order-` }]);
      for (const [fn, specs] of byFunction) await faults.set(functions[fn]!, specs, specs.some((s) => s.kind === 'timeout') ? FAULT_TIMEOUT_SECONDS : undefined);
      log(`Lambda faults set on ${[...byFunction.keys()].join(', ')} (STEPLESS_FAULTS, first attempts of ${runId}-order-*)`);
    }
    worker.start();
    await waitUntil('the drill worker polling its task queue', () => hasWorkflowPollers(taskQueue), { timeoutMs: 90000, intervalMs: 1000 });
    const workload = await startWorkload(client, outputs, s3, { runId, taskQueue, size: options });
    log(`${workload.workflows.length} workflows started on task queue ${taskQueue}: ${options.orders} orders, ${options.trainings} trainings, ${options.analyses} analyses`);
    const chaos = runChaos(
      {
        workerKills: options.kills,
        ...(options.lambdaFaults ? { throttle: { functionName: functions[throttledFunction(options)]!, ms: THROTTLE_MS } } : {}),
        temporalRestart: options.temporalRestart,
        windowMs: Math.min(30000, options.timeLimitMs / 4),
      },
      worker,
      faults,
      log,
    );
    const chaosDone = await chaos;
    const endings = await awaitEndings(workload, deadline);
    await worker.stop();
    const attempts = await stepAttempts(workload.workflows);
    const census = await takeCensus({ logs, dynamo, s3, lambda }, outputs, workload, runId, started - 60000);
    return { runId, options, endings, attempts, census, chaos: chaosDone, memory: memory.stop(), workerExits: worker.unexpectedExits, durationMs: Date.now() - started };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    memory.stop();
    await worker.stop();
    await faults.restoreAll();
    await connection.close();
  }
}

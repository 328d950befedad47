import '../runtime/aws-sdk-node-warning';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { S3Client } from '@aws-sdk/client-s3';
import { payloadDataConverter } from '../runtime/data-converter';
import { ClaimCheckStore } from '../runtime/claim-check/store';
import { createStepActivities } from '../runtime/lambda/activity';
import { stepsByName } from '../runtime/steps/declare';
import { FUNCTIONS } from '../lambdas/catalog';
import { auditLogFromEnv, createAuditActivities } from '../runtime/audit/log/activity';
import { DEFAULT_WORKER_TUNING, lambdaSocketsFor, loadWorkerConfig, workerTuningOptions } from './config';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogShipper } from './cloudwatch-log-shipper';
import { createJsonLogger } from './logger';
import { createWorkerMetrics } from './metrics';
import { startHealthServer } from './health';
import { taskProtectionFromEnv } from './task-protection';
import { statusPublisherFromEnv } from '../runtime/status-events/from-env';
import { reconcileSchedules } from '../runtime/schedules/reconcile';
import { SCHEDULES } from '../workflows/schedules';

/**
 * The long-lived worker: polls one task queue, runs workflow code in the SDK's sandbox, and runs
 * the activities that hand heavy work to Lambda. SIGTERM/SIGINT start a graceful shutdown: no new
 * tasks are taken, in-flight activities get `shutdownGraceMs` to finish, then are handed back.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // Locally the worker ships its own log to CloudWatch Logs; on ECS the awslogs driver does.
  const shipper = process.env.WORKER_LOG_GROUP
    ? new CloudWatchLogShipper(new CloudWatchLogsClient({}), process.env.WORKER_LOG_GROUP, `worker-${hostname()}-${process.pid}-${Date.now()}`)
    : undefined;
  const logger = createJsonLogger((process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO', shipper && ((t, line) => shipper.push(t, line)));
  Runtime.install({ logger });

  const s3 = new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  const claimChecks = config.claimCheckBucket
    ? { store: new ClaimCheckStore({ s3, bucket: config.claimCheckBucket }), thresholdBytes: config.claimCheckThresholdBytes }
    : undefined;
  // The audit log (AUDIT_TABLE, AUDIT_ANCHOR_BUCKET, a signing key: runtime/audit/log/activity.ts); unset: not recorded.
  const audit = auditLogFromEnv(process.env, { s3 });
  if (!audit) logger.warn('audit log disabled: AUDIT_TABLE is not set; workflows run but record no audit events', {});
  // One activity per declared step (its name is the activity type), and the generic pair that
  // histories recorded before named steps replay. Throws, naming the step, when a declared step's
  // function is not in the deployed map: better to refuse to start than to fail the step later.
  // maxAttempts 1: every Lambda retry is a Temporal attempt, with the workflow's backoff (runtime/lambda/activity.ts).
  // Kept-alive sockets, as many as the worker has step slots (the SDK's default is 50), so no Invoke waits for a socket.
  const sockets = lambdaSocketsFor(DEFAULT_WORKER_TUNING);
  const lambda = new LambdaClient({ maxAttempts: 1, requestHandler: { httpAgent: { keepAlive: true, maxSockets: sockets }, httpsAgent: { keepAlive: true, maxSockets: sockets } } });
  const lambdaActivities = createStepActivities({ lambda, functions: config.functions, claimChecks }, stepsByName(FUNCTIONS).values());
  // TLS, mTLS or an API key as configured (runtime/temporal-connection.ts); secrets come from Secrets Manager.
  const connection = await NativeConnection.connect(await config.temporal.connectionOptions());
  const dataConverter = payloadDataConverter(process.env, { s3 });
  // The schedules declared in code (workflows/schedules.ts), made to match at every start: a deploy
  // starts new workers, so this is how schedules follow the code on both targets without a custom resource.
  try {
    const schedules = await reconcileSchedules(new Client({ connection, namespace: config.temporal.namespace, dataConverter }), SCHEDULES, config.taskQueue);
    logger.info('schedules reconciled', { ...schedules });
  } catch (err) {
    // The worker still runs workflows; the schedules stay as they were until the next start.
    logger.error('schedules not reconciled', { error: String(err) });
  }
  // CloudWatch metrics (worker/metrics/): workflow and activity counts, activity latency, task-queue backlog.
  const metrics = createWorkerMetrics({ settings: config.metrics, connection, namespace: config.temporal.namespace, taskQueue: config.taskQueue, logger });
  const metricsOptions = metrics.workerOptions(workflowCode());
  // On ECS: scale-in protection while activities are in flight (worker/task-protection.ts); here, none.
  const protection = taskProtectionFromEnv(process.env, logger);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    ...metricsOptions,
    interceptors: { ...metricsOptions.interceptors, activity: [...(metricsOptions.interceptors.activity ?? []), ...(protection ? [protection.interceptor()] : [])] },
    activities: {
      ...lambdaActivities,
      ...createAuditActivities(audit),
    },
    dataConverter,
    // Step slots and pollers (worker/config.ts, with what the bench measured).
    ...workerTuningOptions(DEFAULT_WORKER_TUNING),
    shutdownGraceTime: config.shutdownGraceMs,
    // WORKER_DEPLOYMENT_NAME + WORKER_BUILD_ID: poll as that Worker Deployment Version (docs/versioning.md); unset: unversioned.
    ...(config.workerDeploymentOptions && { workerDeploymentOptions: config.workerDeploymentOptions }),
  });
  // describe(): address, namespace, auth kind and secret ARNs, never a secret's contents.
  const temporal = config.temporal.describe();
  logger.info('worker started', {
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
    temporal,
    taskQueue: config.taskQueue,
    deploymentVersion: config.workerDeploymentOptions
      ? { ...config.workerDeploymentOptions.version, defaultVersioningBehavior: config.workerDeploymentOptions.defaultVersioningBehavior }
      : null,
    functions: Object.keys(config.functions),
    steps: [...stepsByName(FUNCTIONS).keys()],
    claimCheckBucket: config.claimCheckBucket ?? null,
    shutdownGraceMs: config.shutdownGraceMs,
    scaleInProtection: protection !== undefined,
    audit: audit ? { table: process.env.AUDIT_TABLE, anchorBucket: process.env.AUDIT_ANCHOR_BUCKET ?? null, signer: audit.signer.description } : null,
  });
  metrics.start();
  // GET /healthz for the ECS container health check: 200 while RUNNING, 503 from the moment shutdown begins.
  const health = config.healthPort === undefined ? undefined : await startHealthServer({ port: config.healthPort, state: () => worker.getState(), taskQueue: config.taskQueue });
  if (health) logger.info('health check listening', { url: `http://127.0.0.1:${health.port}/healthz` });
  // Workflow status change events on EventBridge (STATUS_EVENT_BUS: runtime/status-events, docs/events-out.md); unset: off.
  const statusEvents = statusPublisherFromEnv(process.env, { connection, namespace: config.temporal.namespace, taskQueue: config.taskQueue, dataConverter, logger });
  statusEvents?.start();
  try {
    await worker.run();
  } finally {
    await statusEvents?.stop();
    await health?.close();
    // The last window (what happened during shutdown) is published before the connection closes.
    await metrics.close();
    await connection.close();
  }
  logger.info('worker stopped');
  await shipper?.close();
}

/**
 * The built worker (scripts/build-worker.ts, the container image) has the workflow code bundled
 * next to main.js and starts at once; run from source, the SDK bundles workflows/ at start-up.
 */
function workflowCode(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const prebuilt = join(__dirname, 'workflow-bundle.js');
  return existsSync(prebuilt) ? { workflowBundle: { codePath: prebuilt } } : { workflowsPath: require.resolve('../workflows') };
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'worker failed', source: 'worker', error: String(err), stack: (err as Error)?.stack })}\n`);
  process.exit(1);
});

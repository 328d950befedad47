import { LambdaClient } from '@aws-sdk/client-lambda';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { S3Client } from '@aws-sdk/client-s3';
import { claimCheckDataConverter } from '../runtime/claim-check/data-converter';
import { ClaimCheckStore } from '../runtime/claim-check/store';
import { createLambdaActivities } from '../runtime/lambda/activity';
import { loadWorkerConfig } from './config';
import { createJsonLogger } from './logger';

/**
 * The long-lived worker: polls one task queue, runs workflow code in the SDK's sandbox, and runs
 * the activities that hand heavy work to Lambda. SIGTERM/SIGINT start a graceful shutdown: no new
 * tasks are taken, in-flight activities get `shutdownGraceMs` to finish, then are handed back.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createJsonLogger((process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO');
  Runtime.install({ logger });

  const s3 = new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  const claimChecks = config.claimCheckBucket
    ? { store: new ClaimCheckStore({ s3, bucket: config.claimCheckBucket }), thresholdBytes: config.claimCheckThresholdBytes }
    : undefined;
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createLambdaActivities({ lambda: new LambdaClient({}), functions: config.functions, claimChecks }),
    dataConverter: claimCheckDataConverter(process.env, s3),
    shutdownGraceTime: config.shutdownGraceMs,
  });
  logger.info('worker started', {
    temporalAddress: config.temporalAddress,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    functions: Object.keys(config.functions),
    claimCheckBucket: config.claimCheckBucket ?? null,
  });
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
  logger.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'worker failed', source: 'worker', error: String(err), stack: (err as Error)?.stack })}\n`);
  process.exit(1);
});

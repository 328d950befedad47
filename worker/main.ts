import { LambdaClient } from '@aws-sdk/client-lambda';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
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

  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createLambdaActivities({ lambda: new LambdaClient({}), functions: config.functions }),
    shutdownGraceTime: config.shutdownGraceMs,
  });
  logger.info('worker started', {
    temporalAddress: config.temporalAddress,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    functions: Object.keys(config.functions),
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

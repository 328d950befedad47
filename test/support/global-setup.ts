import '../../runtime/aws-sdk-node-warning';
import { upLocalCloud } from '../../infra/local/cloud';
import { localstackPid } from '../../infra/local/localstack';
import { temporalPid } from '../../infra/local/temporal';
import { workerPid } from '../../infra/local/worker-service';

/**
 * One local cloud per test run: started here (or reused, if `npm start` left one up), shared by
 * every integration test, and stopped by global-teardown only if this run started it.
 */
export default async function globalSetup(): Promise<void> {
  const wasRunning = { temporal: temporalPid() !== undefined, localstack: localstackPid() !== undefined, worker: workerPid() !== undefined };
  (globalThis as { __steplessWasRunning?: typeof wasRunning }).__steplessWasRunning = wasRunning;
  console.log('\n[global-setup] bringing up the local cloud (reusing what is already running)');
  await upLocalCloud();
}

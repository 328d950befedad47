import { stopLocalStack } from '../../infra/local/localstack';
import { stopTemporal } from '../../infra/local/temporal';
import { stopWorker } from '../../infra/local/worker-service';

/** Stops what global-setup started; a cloud the developer had running stays up. */
export default async function globalTeardown(): Promise<void> {
  const was = (globalThis as { __steplessWasRunning?: Record<string, boolean> }).__steplessWasRunning ?? {};
  if (process.env.STEPLESS_KEEP_CLOUD === '1') return;
  if (!was.worker) await stopWorker();
  if (!was.localstack) await stopLocalStack();
  if (!was.temporal) await stopTemporal();
}

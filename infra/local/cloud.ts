import { awsEndpoint, temporalAddress, temporalUiUrl } from './config';
import { deployLocalStack, readStackOutputs, type StackOutputs } from './deploy';
import { localstackPid, startLocalStack, stopLocalStack } from './localstack';
import { withMachineLock } from './lock';
import { logFile } from './processes';
import { startTemporal, stopTemporal, temporalPid } from './temporal';
import { startWorker, stopWorker, workerPid } from './worker-service';

/**
 * The local cloud: Temporal dev server, LocalStack (with the Docker-free Lambda executor), the
 * stack deployed by CDK, and the worker. Each piece is reused when already up. If start-up fails,
 * whatever this call started is stopped again, so nothing is left half-running.
 */
export async function upLocalCloud(opts: { worker?: boolean; deploy?: boolean } = {}): Promise<StackOutputs | undefined> {
  // One bring-up at a time on this machine: concurrent runs wait here, then reuse what the first started.
  return withMachineLock('local-cloud', () => bringUp(opts), {
    onWait: (holder) => console.log(`▸ Waiting for another bring-up of the local cloud (pid ${holder}) to finish`),
  });
}

async function bringUp(opts: { worker?: boolean; deploy?: boolean }): Promise<StackOutputs | undefined> {
  const startedHere: Array<() => Promise<unknown>> = [];
  const step = async (title: string, run: () => Promise<'started' | 'reused'>, stop: () => Promise<unknown>) => {
    const t0 = Date.now();
    console.log(`▸ ${title}`);
    const outcome = await run();
    if (outcome === 'started') startedHere.push(stop);
    console.log(`  ${outcome === 'reused' ? 'already running' : `up in ${((Date.now() - t0) / 1000).toFixed(1)} s`}`);
  };
  try {
    await step(`Temporal dev server (${temporalAddress}, UI ${temporalUiUrl})`, startTemporal, stopTemporal);
    await step(`LocalStack (${awsEndpoint})`, startLocalStack, stopLocalStack);
    if (opts.deploy === false) return undefined;
    console.log('▸ Deploying the stack to LocalStack with CDK');
    const t0 = Date.now();
    const outputs = await deployLocalStack();
    console.log(`  deployed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (opts.worker !== false) await step('Worker', () => startWorker(outputs), stopWorker);
    return outputs;
  } catch (err) {
    for (const stop of startedHere.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

export async function downLocalCloud(): Promise<string[]> {
  const stopped: string[] = [];
  if (await stopWorker()) stopped.push('worker');
  if (await stopLocalStack()) stopped.push('LocalStack');
  if (await stopTemporal()) stopped.push('Temporal');
  return stopped;
}

export interface LocalCloudStatus {
  temporal: { running: boolean; pid?: number; log: string };
  localstack: { running: boolean; pid?: number; log: string };
  worker: { running: boolean; pid?: number; log: string };
  temporalAddress: string;
  temporalUiUrl: string;
  awsEndpoint: string;
  apiUrl?: string;
  stack?: StackOutputs;
}

export function localCloudStatus(): LocalCloudStatus {
  const service = (name: string, pid: number | undefined) => ({ running: pid !== undefined, ...(pid ? { pid } : {}), log: logFile(name) });
  let stack: StackOutputs | undefined;
  try {
    stack = readStackOutputs();
  } catch {
    stack = undefined;
  }
  return {
    temporal: service('temporal', temporalPid()),
    localstack: service('localstack', localstackPid()),
    worker: service('worker', workerPid()),
    temporalAddress,
    temporalUiUrl,
    awsEndpoint,
    ...(stack ? { apiUrl: stack.ApiUrl, stack } : {}),
  };
}

import { startTemporal, stopTemporal } from '../../infra/local/temporal';
import type { LambdaFaults } from './lambda-faults';
import type { DrillWorker } from './worker';

/** The disruptions the drill schedules at random moments of the run's first `windowMs`. */
export interface ChaosPlan {
  workerKills: number;
  throttle?: { functionName: string; ms: number };
  temporalRestart: boolean;
  windowMs: number;
}

export interface ChaosDone {
  workerKills: number;
  throttleWindows: number;
  temporalRestarts: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const randomIn = (min: number, max: number) => min + Math.floor(Math.random() * Math.max(1, max - min));

/** Runs the plan; resolves once every disruption is over and the worker is running again. */
export async function runChaos(plan: ChaosPlan, worker: DrillWorker, faults: LambdaFaults, log: (line: string) => void): Promise<ChaosDone> {
  const done: ChaosDone = { workerKills: 0, throttleWindows: 0, temporalRestarts: 0 };
  const kills = (async () => {
    const moments = Array.from({ length: plan.workerKills }, () => randomIn(1000, plan.windowMs)).sort((a, b) => a - b);
    let elapsed = 0;
    for (const at of moments) {
      await sleep(Math.max(0, at - elapsed));
      await worker.kill();
      done.workerKills++;
      const down = randomIn(500, 3000);
      log(`  ✗ worker SIGKILLed at +${(at / 1000).toFixed(1)} s; restarting it in ${(down / 1000).toFixed(1)} s`);
      await sleep(down);
      worker.start();
      elapsed = at + down;
    }
  })();
  const throttle = (async () => {
    if (plan.throttle === undefined) return;
    // From the start, while the throttled function's first calls are being made.
    log(`  ✗ ${plan.throttle.functionName}: reserved concurrency 0 for ${plan.throttle.ms / 1000} s`);
    await faults.throttle(plan.throttle.functionName, plan.throttle.ms);
    done.throttleWindows++;
  })();
  const restart = (async () => {
    if (!plan.temporalRestart) return;
    await sleep(randomIn(plan.windowMs / 3, plan.windowMs));
    log('  ✗ Temporal server stopped; starting it again on the same database');
    await stopTemporal();
    await startTemporal();
    done.temporalRestarts++;
  })();
  await Promise.all([kills, throttle, restart]);
  return done;
}

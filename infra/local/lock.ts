import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runDir } from './paths';
import { isAlive } from './processes';

/**
 * A lock shared by processes on this machine, so that two `npm start`/`npm test`/`local:up` runs
 * do not deploy the stack or restart the worker at the same time (CloudFormation refuses a second
 * update in progress, and two workers would race for the pid file). `mkdir` is atomic; the holder's
 * pid is written inside, and a lock whose holder has died is taken over.
 */
export async function withMachineLock<T>(name: string, run: () => Promise<T>, opts: { timeoutMs?: number; onWait?: (holder: number) => void } = {}): Promise<T> {
  const dir = join(runDir, `${name}.lock`);
  const owner = join(dir, 'pid');
  const deadline = Date.now() + (opts.timeoutMs ?? 20 * 60_000);
  let announced = false;
  mkdirSync(runDir, { recursive: true });
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(owner);
      // No pid yet means the holder is between mkdir and writeFile; only a dead holder is evicted.
      if (holder !== undefined && !isAlive(holder)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the ${name} lock held by pid ${holder ?? '?'} (${dir}); if no such process runs, remove that directory`);
      if (!announced && holder !== undefined) {
        opts.onWait?.(holder);
        announced = true;
      }
      await sleep(500);
    }
  }
  try {
    return await run();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

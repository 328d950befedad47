import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withMachineLock } from '../../infra/local/lock';
import { runDir } from '../../infra/local/paths';

describe('withMachineLock (serializes bring-ups of the local cloud across processes)', () => {
  const name = `unit-test-${process.pid}-${Date.now()}`;

  it('runs holders one at a time and releases the lock afterwards', async () => {
    const events: string[] = [];
    const holder = (id: string) =>
      withMachineLock(name, async () => {
        events.push(`${id} in`);
        await sleep(150);
        events.push(`${id} out`);
      });
    await Promise.all([holder('a'), holder('b'), holder('c')]);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace('in', 'out'));
    expect(existsSync(join(runDir, `${name}.lock`))).toBe(false);
  });

  it('releases the lock when the holder throws', async () => {
    await expect(withMachineLock(name, () => Promise.reject(new Error('deploy failed')))).rejects.toThrow('deploy failed');
    await expect(withMachineLock(name, () => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('takes over a lock whose holder process is gone', async () => {
    const dir = join(runDir, `${name}-stale.lock`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pid'), '2147483646'); // no such process
    await expect(withMachineLock(`${name}-stale`, () => Promise.resolve('taken'), { timeoutMs: 2000 })).resolves.toBe('taken');
  });

  it('waits for a live holder and gives up with a message that names it', async () => {
    const dir = join(runDir, `${name}-live.lock`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pid'), String(process.pid)); // this process: alive
    const waited: number[] = [];
    await expect(withMachineLock(`${name}-live`, () => Promise.resolve(), { timeoutMs: 800, onWait: (pid) => waited.push(pid) })).rejects.toThrow(`held by pid ${process.pid}`);
    expect(waited).toEqual([process.pid]);
  });
});

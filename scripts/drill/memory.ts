import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of a process and all its descendants (Linux /proc), in bytes (0 when it is gone), and how many of them are Lambda runtimes. */
export function treeRss(rootPid: number): { bytes: number; runtimes: number } {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      rss.set(pid, Number(fields[21]) * 4096); // rss in pages (4 KiB on our platforms)
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      /* exited while we read */
    }
  }
  let total = 0;
  let runtimes = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    if (pid !== rootPid && isLambdaRuntime(pid)) runtimes++;
    stack.push(...(children.get(pid) ?? []));
  }
  return { bytes: total, runtimes };
}

/** The executor's runtime client (infra/local/lambda-executor/node-runtime/bootstrap.mjs) runs each environment. */
function isLambdaRuntime(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bootstrap.mjs');
  } catch {
    return false;
  }
}

/** Samples treeRss every `intervalMs` until stopped; reports the peaks and the last sample. */
export interface MemoryFigures {
  peakBytes: number;
  lastBytes: number;
  peakRuntimes: number;
}

export function sampleMemory(rootPid: number | undefined, intervalMs = 2000): { stop: () => MemoryFigures } {
  let peak = 0;
  let last = 0;
  let peakRuntimes = 0;
  const take = () => {
    if (rootPid === undefined) return;
    const sample = treeRss(rootPid);
    last = sample.bytes;
    peak = Math.max(peak, last);
    peakRuntimes = Math.max(peakRuntimes, sample.runtimes);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peakBytes: peak, lastBytes: last, peakRuntimes };
    },
  };
}

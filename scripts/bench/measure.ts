/** What every benchmark shares: timing, medians and the output row. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall-clock milliseconds of `fn`. */
export async function timed(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function header(): void {
  console.log(`${'benchmark'.padEnd(50)} ${'ours'.padStart(16)} ${'baseline'.padStart(16)} ${'ratio'.padStart(7)}`);
}

export function row(what: string, ours: string, baseline: string, ratio: number): void {
  console.log(`${what.padEnd(50)} ${ours.padStart(16)} ${baseline.padStart(16)} ${ratio.toFixed(2).padStart(7)}`);
}

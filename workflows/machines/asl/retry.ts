import type { Retrier } from './types';

/**
 * How long to wait before the next retry of a retrier that has already retried `retries` times:
 * IntervalSeconds × BackoffRate^retries, capped by MaxDelaySeconds; with JitterStrategy FULL, a
 * random delay between 0 and that. Defaults are the language's: 1 s, rate 2.0, no cap, no jitter.
 */
export function delayBeforeRetry(retrier: Retrier, retries: number, random: () => number): number {
  const interval = retrier.IntervalSeconds ?? 1;
  const rate = retrier.BackoffRate ?? 2;
  let seconds = interval * Math.pow(rate, retries);
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds = random() * seconds;
  return Math.round(seconds * 1000);
}

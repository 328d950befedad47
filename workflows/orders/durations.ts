/**
 * Durations as people write them ("24 hours", "2 seconds", "7d", "90 min"), parsed the same way by
 * the API (to answer 400) and the workflow. Deterministic, no dependencies.
 */
const UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/** The unit words parseDuration accepts (in any case), for the API's document. */
export const DURATION_UNITS: readonly string[] = Object.keys(UNITS);

/** Milliseconds of a duration string, or undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(text);
  if (!match) return undefined;
  const unit = UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(match[1]) * unit);
}

export const MIN_DURATION_MS = 1000;
export const MAX_DURATION_MS = 366 * 86_400_000;

/** Why a duration is unacceptable, or undefined when it is fine (1 second to 366 days). */
export function durationProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return 'must be a duration string such as "24 hours" or "2 seconds"';
  const ms = parseDuration(text);
  if (ms === undefined) return 'must be a duration such as "24 hours", "30 minutes", "2 seconds" or "7 days"';
  if (ms < MIN_DURATION_MS || ms > MAX_DURATION_MS) return 'must be between 1 second and 366 days';
  return undefined;
}

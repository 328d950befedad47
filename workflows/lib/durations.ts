/**
 * The one duration grammar of every workflow and of the API that validates their input:
 *
 *   duration = [space] number [space] unit [space]
 *   number   = digits [ "." digits ]            (1.5h is 90 minutes)
 *   unit     = ms | s | m | h | d | w, or their words (sec, min, hr, hour(s), day(s), week(s), ...),
 *              in any case ("m" is minutes)
 *
 * so "24h", "24 hours", "90s", "1.5 h" and "7 Days" all parse. Each field sets its own range
 * (an order's timeouts 1 second to 366 days; a training's review timeout above 0, at most 100 years).
 * Deterministic, no dependencies: workflow code parses with it.
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

/** The range a field accepts, and how its rule reads in an error. */
export interface DurationRange {
  minMs: number;
  maxMs: number;
  rule: string;
}

/** The default range: 1 second to 366 days (an order's approval timeout and delivery window). */
export const DAY_SCALE: DurationRange = { minMs: 1000, maxMs: 366 * 86_400_000, rule: 'must be between 1 second and 366 days' };

/** Any duration longer than 0, up to a bound no workflow waits beyond (a training's review timeout). */
export const POSITIVE: DurationRange = { minMs: 1, maxMs: 100 * 365 * 86_400_000, rule: 'must be longer than 0 and at most 100 years' };

/** Why a duration is unacceptable, or undefined when it is fine: not of the grammar, or out of `range`. */
export function durationProblem(text: unknown, range: DurationRange = DAY_SCALE): string | undefined {
  if (typeof text !== 'string') return 'must be a duration string such as "24 hours" or "2 seconds"';
  const ms = parseDuration(text);
  if (ms === undefined) return 'must be a duration such as "24 hours", "30 minutes", "2 seconds" or "7 days"';
  if (ms < range.minMs || ms > range.maxMs) return range.rule;
  return undefined;
}

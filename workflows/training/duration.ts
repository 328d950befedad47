/** Durations as the training request writes them: an integer and a unit, e.g. '24h', '30m', '90s', '500ms', '2d'. */
export const DURATION_PATTERN = /^(\d{1,9})(ms|s|m|h|d)$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined if `text` is not a duration of that form. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

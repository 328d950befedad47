import { z } from 'zod';
import { DAY_SCALE, DURATION_UNITS, durationProblem, type DurationRange } from '../../workflows/lib/durations';
import { TRIMMED_WHITESPACE } from './route-spec';

/** parseDuration's grammar as a pattern for the document (the range is in the description). */
const ws = `[${TRIMMED_WHITESPACE}]*`;
const unitPattern = [...DURATION_UNITS].sort((a, b) => b.length - a.length).map((unit) => [...unit].map((c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).join('')).join('|');
export const DURATION_TEXT_PATTERN = `^${ws}[0-9]+(?:\\.[0-9]+)?${ws}(?:${unitPattern})${ws}$`;

/** A duration of 0 ("0s", "0.0 hours"): the document's form of the POSITIVE range. */
export const ZERO_DURATION_PATTERN = `^${ws}0+(?:\\.0+)?${ws}(?:${unitPattern})${ws}$`;

/** A duration field of a request body, read by the workflows' one grammar (workflows/lib/durations.ts). */
export const durationSchema = (description: string, range: DurationRange = DAY_SCALE) =>
  z
    .string({ error: 'must be a duration string such as "24 hours" or "2 seconds"' })
    .superRefine((value, ctx) => {
      const problem = durationProblem(value, range);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ pattern: DURATION_TEXT_PATTERN })
    .describe(`${description}; a duration such as "24h", "24 hours", "30 min", "1.5 h" or "7 days" (${range.rule.replace(/^must be /, '')})`);

import { durationProblem, type DurationRange } from './durations';

/**
 * A workflow's input, checked and completed the same way in every workflow: rules per field, each
 * answering why the value breaks it ("must be a positive integer") so the problem names the field
 * and the rule; then the defaults filled in for the optional fields left out. The API checks the
 * same rules with its schema (a 400); a client that starts a workflow directly meets them here.
 * Pure (no Temporal import), so the API's route specs can load it; invalid-input.ts makes the failure.
 */

/** Why `value` breaks the rule (the rule in words, "must be ..."), or undefined when it keeps it. */
export type Rule<V, I = unknown> = (value: V, input: I) => string | undefined;

/** The rules of an input's fields; an optional field that is absent is not checked. */
export type FieldRules<I> = { [K in keyof I]?: Rule<Exclude<I[K], undefined>, I> };

/** The first broken rule as "<field> <rule>", in the rules' order, or undefined when the input keeps them all. */
export function fieldProblem<I extends object>(input: I, rules: FieldRules<I>): string | undefined {
  for (const field of Object.keys(rules) as Array<keyof I & string>) {
    const value = input[field];
    if (value === undefined) continue;
    const problem = (rules[field] as Rule<unknown, I>)(value, input);
    if (problem !== undefined) return `${field} ${problem}`;
  }
  return undefined;
}

/** The input with every optional field it leaves out taken from `defaults` (a field given, even 0 or false, stays). */
export function withDefaults<I extends object, D extends { [K in keyof I]?: Exclude<I[K], undefined> }>(input: I, defaults: D): I & Required<Pick<I, keyof D & keyof I>> {
  const settled: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [field, value] of Object.entries(defaults)) if (settled[field] === undefined) settled[field] = value;
  return settled as I & Required<Pick<I, keyof D & keyof I>>;
}

// The rules the three workflows share.

export const required: Rule<unknown> = (v) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? 'is required' : undefined);

export const nonEmptyString: Rule<unknown> = (v) => (typeof v === 'string' && v.trim() !== '' ? undefined : 'must be a non-empty string');

export const positiveInteger: Rule<unknown> = (v) => (Number.isSafeInteger(v) && (v as number) >= 1 ? undefined : 'must be a positive integer');

export const nonNegativeNumber: Rule<unknown> = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'must be a non-negative number');

export const positiveNumber: Rule<unknown> = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'must be a positive number');

export const duration =
  (range?: DurationRange): Rule<unknown> =>
  (v) =>
    durationProblem(v, range);

import jsonata from 'jsonata';
import { STATES_ERRORS, StatesError } from './errors';

/**
 * The JSONata query language of states with `QueryLanguage: "JSONata"`: a string `{% expr %}` is an
 * expression, evaluated by the reference JSONata with `$states` (input, context, result, errorOutput)
 * and the execution's variables bound; any other value is literal, objects and arrays walked.
 */

/** What `$states` holds for one evaluation. */
export interface StatesBinding {
  input: unknown;
  context: unknown;
  result?: unknown;
  errorOutput?: unknown;
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** The JSONata text of a `{% ... %}` string, or undefined for any other value. */
export function expressionOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = EXPRESSION.exec(value.trim());
  return match ? match[1] : undefined;
}

/** Compiles an expression; throws with JSONata's message on a syntax error (validation uses it). */
export function compileExpression(text: string): void {
  jsonata(text);
}

/** JSONata's results carry internal marks (sequence flags); the data between states is plain JSON. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** Evaluates one `{% %}` expression; failures and undefined results are States.QueryEvaluationError. */
export async function evaluateExpression(text: string, field: string, states: StatesBinding, variables: Readonly<Record<string, unknown>>): Promise<unknown> {
  let result: unknown;
  try {
    result = await jsonata(text).evaluate(undefined, { ...variables, states });
  } catch (err) {
    const e = err as { message?: string; code?: string };
    throw new StatesError(STATES_ERRORS.QueryEvaluationError, `the JSONata expression of '${field}' failed: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`);
  }
  if (result === undefined) {
    throw new StatesError(STATES_ERRORS.QueryEvaluationError, `the JSONata expression of '${field}' returned nothing (undefined): ${text.trim()}`);
  }
  return plain(result);
}

/** Evaluates every `{% %}` string in a value (Arguments, Output, Assign, ItemSelector...). */
export async function evaluateTemplate(value: unknown, field: string, states: StatesBinding, variables: Readonly<Record<string, unknown>>): Promise<unknown> {
  const text = expressionOf(value);
  if (text !== undefined) return evaluateExpression(text, field, states, variables);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [i, item] of value.entries()) out.push(await evaluateTemplate(item, `${field}[${i}]`, states, variables));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = await evaluateTemplate(item, field === '' ? key : `${field}.${key}`, states, variables);
    }
    return out;
  }
  return value;
}

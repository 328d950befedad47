import jsonata from 'jsonata';
import { STATES_ERRORS, StatesError } from './errors';
import { callIntrinsic, seededRandom, type IntrinsicEnv } from './intrinsics';

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

/** Compiled expressions by text: a Map state evaluates the same ones once per item. Bounded, and only a cache. */
const compiled = new Map<string, jsonata.Expression>();
const COMPILED_LIMIT = 1000;

/** Compiles an expression; throws with JSONata's message on a syntax error (validation uses it). */
export function compileExpression(text: string): jsonata.Expression {
  let expression = compiled.get(text);
  if (expression === undefined) {
    expression = jsonata(text);
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    compiled.set(text, expression);
  }
  return expression;
}

/** JSONata's results carry internal marks (sequence flags); the data between states is plain JSON. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/**
 * The functions Step Functions adds to JSONata, each the counterpart of an intrinsic: $partition,
 * $range, $hash, $random (with an optional seed), $uuid, $parse. Randomness is the workflow's.
 */
function stepFunctionsFunctions(env: IntrinsicEnv): Record<string, (...args: unknown[]) => unknown> {
  return {
    partition: (array, size) => callIntrinsic('ArrayPartition', [array, size], env),
    range: (start, end, step) => callIntrinsic('ArrayRange', [start, end, step], env),
    hash: (data, algorithm) => callIntrinsic('Hash', [data, algorithm], env),
    random: (seed?: unknown) => {
      if (seed === undefined) return env.random();
      if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new Error(`$random: the seed must be an integer, got ${JSON.stringify(seed)}`);
      return seededRandom(seed);
    },
    uuid: () => env.uuid(),
    parse: (text) => {
      if (typeof text !== 'string') throw new Error(`$parse: the argument must be a string, got ${JSON.stringify(text)}`);
      return JSON.parse(text) as unknown;
    },
  };
}

/** Evaluates one `{% %}` expression; failures and undefined results are States.QueryEvaluationError. */
export async function evaluateExpression(text: string, field: string, states: StatesBinding, variables: Readonly<Record<string, unknown>>, env: IntrinsicEnv): Promise<unknown> {
  let result: unknown;
  try {
    result = await compileExpression(text).evaluate(undefined, { ...stepFunctionsFunctions(env), ...variables, states });
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
export async function evaluateTemplate(value: unknown, field: string, states: StatesBinding, variables: Readonly<Record<string, unknown>>, env: IntrinsicEnv): Promise<unknown> {
  const text = expressionOf(value);
  if (text !== undefined) return evaluateExpression(text, field, states, variables, env);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [i, item] of value.entries()) out.push(await evaluateTemplate(item, `${field}[${i}]`, states, variables, env));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = await evaluateTemplate(item, field === '' ? key : `${field}.${key}`, states, variables, env);
    }
    return out;
  }
  return value;
}

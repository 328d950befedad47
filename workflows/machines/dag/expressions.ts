import jsonata from 'jsonata';

/**
 * JSONata for DAG definitions: the `input`, `when` and `output` expressions, evaluated over the
 * document `{ input, steps }` (./state.ts, `expressionDocument`). Pure JS, so it runs in the workflow
 * sandbox, where `$now()` and `$millis()` read workflow time and so replay identically.
 */

/**
 * Guard rails that hold on every replay: a depth limit for runaway recursion (JSONata's `timeout`
 * reads the clock, which does not advance inside a workflow task, so it cannot be used) and a cap
 * on sequence length.
 */
const OPTIONS: jsonata.JsonataOptions = { stack: 200, sequence: 100_000 };

/** The parse error of an expression, or undefined when it parses. */
export function expressionProblem(text: string): string | undefined {
  try {
    jsonata(text, OPTIONS);
    return undefined;
  } catch (err) {
    return describeError(err);
  }
}

/** Evaluates an expression over a document; the result is plain JSON (undefined when nothing matched). */
export async function evaluateExpression(text: string, document: unknown): Promise<unknown> {
  const result: unknown = await jsonata(text, OPTIONS).evaluate(document);
  // JSONata marks sequences with extra properties; what leaves here must be plain JSON for Temporal.
  return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown);
}

/** A `when` condition: true or false; anything else is an error naming what it was. */
export async function evaluateCondition(text: string, document: unknown): Promise<boolean> {
  const result = await evaluateExpression(text, document);
  if (result === undefined) return false;
  if (typeof result !== 'boolean') throw new ExpressionError(`the condition must evaluate to true or false, not ${JSON.stringify(result).slice(0, 100)}`);
  return result;
}

/** An expression that failed while evaluated (its step fails with this error name). */
export class ExpressionError extends Error {
  override readonly name = 'DagExpressionError';
}

/** JSONata throws plain objects with a code, a message and a position; one line from any of them. */
export function describeError(err: unknown): string {
  if (err !== null && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown; position?: unknown };
    const where = typeof e.position === 'number' ? ` at position ${e.position}` : '';
    const code = typeof e.code === 'string' ? `${e.code}: ` : '';
    if (typeof e.message === 'string') return `${code}${e.message}${where}`;
  }
  return String(err);
}

import { runtimeError } from './errors';
import { evaluateIntrinsic, isIntrinsic, type IntrinsicScope } from './intrinsics';
import { PathNotFound, readPath } from './paths';

/** What a JSONPath payload template or path is evaluated against. */
export type PathScope = IntrinsicScope;

/**
 * Reads a path for a field of a state (InputPath, ItemsPath, a `.$` value...): a path that matches
 * nothing is States.Runtime, naming the field, as Step Functions fails the execution.
 */
export function readField(path: string, field: string, scope: PathScope): unknown {
  try {
    return readPath(path, scope.input, scope.context, scope.variables);
  } catch (err) {
    if (err instanceof PathNotFound) {
      throw runtimeError(`the JSONPath '${path}' of the field '${field}' matches nothing in ${JSON.stringify(scope.input)}`);
    }
    throw err;
  }
}

/** The value of a `.$` field: an intrinsic function call or a path. */
export function dynamicValue(expression: string, field: string, scope: PathScope): unknown {
  if (isIntrinsic(expression)) return evaluateIntrinsic(expression, scope);
  return readField(expression, field, scope);
}

/**
 * A payload template (Parameters, ResultSelector, ItemSelector, Assign): a key ending in `.$` takes
 * the value of its path or intrinsic and loses the suffix; everything else is copied, nested
 * objects and arrays processed the same way.
 */
export function applyTemplate(template: unknown, scope: PathScope, field = ''): unknown {
  if (Array.isArray(template)) return template.map((item, i) => applyTemplate(item, scope, `${field}[${i}]`));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template as Record<string, unknown>)) {
    const path = field === '' ? key : `${field}.${key}`;
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') throw runtimeError(`the field '${path}' must be a path or an intrinsic function (a string)`);
      out[key.slice(0, -2)] = dynamicValue(value, path, scope);
    } else {
      out[key] = applyTemplate(value, scope, path);
    }
  }
  return out;
}

/** InputPath and OutputPath: undefined keeps the data, null gives `{}`, a path selects. */
export function filterPath(path: string | null | undefined, field: string, scope: PathScope): unknown {
  if (path === undefined) return scope.input;
  if (path === null) return {};
  return readField(path, field, scope);
}

import { JSONPath } from 'jsonpath-plus';
import { STATES_ERRORS, StatesError } from './errors';

/**
 * ASL Paths: a Reference Path (`$`, `.name`, `['name']`, `[3]`: one definite node) is walked here;
 * any other JSONPath (wildcards, slices, filters, `..`) goes to jsonpath-plus and yields an array of
 * matches, as Step Functions' JSONPath does. A path starting `$$` reads the context object.
 */

export type PathSegment = string | number;

/** A path that names no value in the data it was applied to. */
export class PathNotFound extends Error {
  constructor(readonly path: string) {
    super(`the path '${path}' matches nothing`);
    this.name = 'PathNotFound';
  }
}

/** The segments of a Reference Path, or undefined when the path is not one. */
export function parseReferencePath(path: string): PathSegment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const start = ++i;
      while (i < path.length && path[i] !== '.' && path[i] !== '[') i++;
      const name = path.slice(start, i);
      if (name === '' || name === '*' || /[\s()?@,:'"]/.test(name)) return undefined;
      segments.push(name);
    } else if (path[i] === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return undefined;
      const inner = path.slice(i + 1, close);
      const quoted = /^'([^']*)'$/.exec(inner) ?? /^"([^"]*)"$/.exec(inner);
      if (quoted) segments.push(quoted[1]!);
      else if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else return undefined;
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return segments;
}

/** Whether `path` is a syntactically valid ASL Path (Reference Path or JSONPath with operators). */
export function isValidPath(path: string): boolean {
  const body = pathBody(path);
  if (!body.startsWith('$')) return false;
  if (parseReferencePath(body) !== undefined) return true;
  try {
    JSONPath.toPathArray(body);
    return true;
  } catch {
    return false;
  }
}

/** Whether the path is a Reference Path (after an optional context-object `$`). */
export function isReferencePath(path: string): boolean {
  return parseReferencePath(pathBody(path)) !== undefined;
}

/** The path relative to its root: without the context object's extra `$` or a variable's name. */
function pathBody(path: string): string {
  if (path.startsWith('$$')) return path.slice(1);
  const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(path);
  return variable ? `$${path.slice(variable[0].length)}` : path;
}

function own(value: unknown, key: PathSegment): { found: boolean; value?: unknown } {
  if (typeof key === 'number') {
    return Array.isArray(value) && key < value.length ? { found: true, value: value[key] as unknown } : { found: false };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, key)) {
    return { found: true, value: (value as Record<string, unknown>)[key] };
  }
  return { found: false };
}

/**
 * The value `path` selects: the node of a Reference Path (throws PathNotFound when absent), or the
 * array of matches of any other JSONPath (possibly empty).
 */
export function readPath(path: string, data: unknown, context: unknown, variables?: Readonly<Record<string, unknown>>): unknown {
  const onContext = path.startsWith('$$');
  const variable = onContext ? null : /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(path);
  let body = onContext ? path.slice(1) : path;
  let root = onContext ? context : data;
  if (variable) {
    // `$name...` reads a variable (Assign), and the rest of the path applies to its value.
    if (variables === undefined || !Object.prototype.hasOwnProperty.call(variables, variable[1]!)) throw new PathNotFound(path);
    root = variables[variable[1]!];
    body = `$${path.slice(variable[0].length)}`;
  }
  const segments = parseReferencePath(body);
  if (segments !== undefined) {
    let node = root;
    for (const segment of segments) {
      const next = own(node, segment);
      if (!next.found) throw new PathNotFound(path);
      node = next.value;
    }
    return node;
  }
  if (root === null || typeof root !== 'object') throw new PathNotFound(path);
  return JSONPath<unknown[]>({ path: body, json: root, wrap: true, resultType: 'value' });
}

/** Whether `path` selects something in the data (Choice's IsPresent). */
export function pathExists(path: string, data: unknown, context: unknown, variables?: Readonly<Record<string, unknown>>): boolean {
  try {
    const value = readPath(path, data, context, variables);
    return isReferencePath(path) || (Array.isArray(value) && value.length > 0);
  } catch (err) {
    if (err instanceof PathNotFound) return false;
    throw err;
  }
}

/** A deep copy of JSON data (the data passed between states is JSON). */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * ResultPath: the state's input with `result` placed at `path` (a Reference Path); `$` replaces the
 * input, null discards the result. Missing objects on the way are created; a non-object on the way
 * is States.ResultPathMatchFailure.
 */
export function applyResultPath(input: unknown, path: string | null | undefined, result: unknown): unknown {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  const segments = parseReferencePath(path);
  if (segments === undefined || segments.length === 0) {
    throw new StatesError(STATES_ERRORS.ResultPathMatchFailure, `ResultPath '${path}' is not a Reference Path`);
  }
  const output = cloneJson(input);
  if (output === null || typeof output !== 'object') {
    throw new StatesError(STATES_ERRORS.ResultPathMatchFailure, `ResultPath '${path}' cannot be applied to the input ${JSON.stringify(input)}: it is not an object`);
  }
  let node = output as Record<string | number, unknown>;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (typeof segment === 'number' ? !Array.isArray(node) || segment >= node.length : Array.isArray(node)) {
      throw new StatesError(STATES_ERRORS.ResultPathMatchFailure, `ResultPath '${path}' does not fit the input ${JSON.stringify(input)}`);
    }
    if (last) {
      node[segment] = result;
      return;
    }
    const next = node[segment];
    if (next === undefined) node[segment] = {};
    else if (next === null || typeof next !== 'object') {
      throw new StatesError(STATES_ERRORS.ResultPathMatchFailure, `ResultPath '${path}' goes through '${String(segment)}', which is not an object in the input ${JSON.stringify(input)}`);
    }
    node = node[segment] as Record<string | number, unknown>;
  });
  return output;
}

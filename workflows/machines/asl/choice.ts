import { runtimeError } from './errors';
import { isJsonObject } from './json';
import { pathExists, PathNotFound, readPath } from './paths';
import type { PathScope } from './payload';

/**
 * Choice rules of JSONPath states: a data-test expression (Variable, one comparison operator) or a
 * Boolean combination (And, Or, Not). A comparison of values of the wrong type is false, not an
 * error; a Variable (or a *Path comparand) that names nothing is States.Runtime, except for IsPresent.
 */

export type ChoiceRule = Record<string, unknown>;

type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

const KINDS: readonly Kind[] = ['String', 'Numeric', 'Boolean', 'Timestamp'];
const RELATIONS: readonly Relation[] = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'];
const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;

/** Every comparison operator name (with its Path variant), for validation. */
export const COMPARISON_OPERATORS: readonly string[] = [
  ...KINDS.flatMap((kind) =>
    RELATIONS.filter((r) => kind !== 'Boolean' || r === 'Equals').flatMap((r) => [`${kind}${r}`, `${kind}${r}Path`]),
  ),
  'StringMatches',
  ...TYPE_TESTS,
];

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant of an RFC 3339 timestamp (uppercase T and Z, as the language requires), or undefined. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** StringMatches: `*` matches any run of characters; `\*` and `\\` are a literal star and backslash. */
export function wildcardMatches(value: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) regex += `\\${pattern[++i]!}`;
    else if (c === '*') regex += '[\\s\\S]*';
    else regex += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`).test(value);
}

function typed(kind: Kind, value: unknown): string | number | boolean | undefined {
  switch (kind) {
    case 'String':
      return typeof value === 'string' ? value : undefined;
    case 'Numeric':
      return typeof value === 'number' ? value : undefined;
    case 'Boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'Timestamp':
      return parseTimestamp(value);
  }
}

function compare(relation: Relation, a: string | number | boolean, b: string | number | boolean): boolean {
  switch (relation) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'GreaterThan':
      return a > b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThanEquals':
      return a >= b;
  }
}

function read(path: string, field: string, scope: PathScope): unknown {
  try {
    return readPath(path, scope.input, scope.context, scope.variables);
  } catch (err) {
    if (err instanceof PathNotFound) throw runtimeError(`Choice: the path '${path}' of '${field}' matches nothing in ${JSON.stringify(scope.input)}`);
    throw err;
  }
}

/** Whether a Choice rule (top-level or nested) holds for the state's input. */
export function evaluateRule(rule: ChoiceRule, scope: PathScope): boolean {
  if (Array.isArray(rule.And)) return (rule.And as ChoiceRule[]).every((r) => evaluateRule(r, scope));
  if (Array.isArray(rule.Or)) return (rule.Or as ChoiceRule[]).some((r) => evaluateRule(r, scope));
  if (isJsonObject(rule.Not)) return !evaluateRule(rule.Not, scope);
  const variable = rule.Variable;
  if (typeof variable !== 'string') throw runtimeError('Choice: a rule has no Variable and no And, Or or Not');
  const operator = COMPARISON_OPERATORS.find((op) => op in rule);
  if (operator === undefined) throw runtimeError(`Choice: the rule on '${variable}' has no comparison operator`);
  const operand = rule[operator];

  if (operator === 'IsPresent') return pathExists(variable, scope.input, scope.context, scope.variables) === operand;
  const value = read(variable, 'Variable', scope);
  switch (operator) {
    case 'IsNull':
      return (value === null) === operand;
    case 'IsNumeric':
      return (typeof value === 'number') === operand;
    case 'IsString':
      return (typeof value === 'string') === operand;
    case 'IsBoolean':
      return (typeof value === 'boolean') === operand;
    case 'IsTimestamp':
      return (parseTimestamp(value) !== undefined) === operand;
    case 'StringMatches':
      return typeof value === 'string' && typeof operand === 'string' && wildcardMatches(value, operand);
  }
  const isPath = operator.endsWith('Path');
  const base = isPath ? operator.slice(0, -4) : operator;
  const kind = KINDS.find((k) => base.startsWith(k))!;
  const relation = base.slice(kind.length) as Relation;
  const expected = isPath ? read(operand as string, operator, scope) : operand;
  const a = typed(kind, value);
  const b = typed(kind, expected);
  if (a === undefined || b === undefined) return false;
  return compare(relation, a, b);
}

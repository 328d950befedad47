import { STATES_ERRORS, StatesError } from './errors';
import { base64Decode, base64Encode, hashHex } from './encoding';
import { jsonEquals } from './json';
import { PathNotFound, readPath } from './paths';

/**
 * The intrinsic functions of JSONPath states (`"field.$": "States.Format('{}', $.name)"`): a small
 * parser for the call syntax and an evaluator for every function. A failure is States.IntrinsicFailure.
 */

type Arg =
  | { kind: 'literal'; value: unknown; raw?: string }
  | { kind: 'path'; path: string }
  | { kind: 'call'; name: string; args: Arg[] };

/** What an intrinsic's path arguments read, and the sources of randomness. */
export interface IntrinsicScope {
  input: unknown;
  context: unknown;
  variables: Readonly<Record<string, unknown>>;
  env: IntrinsicEnv;
}

export interface IntrinsicEnv {
  /** A random number in [0, 1): the workflow's deterministic Math.random. */
  random(): number;
  /** A version 4 UUID: the workflow's deterministic uuid4(). */
  uuid(): string;
}

const MAX_NESTING = 10;
const MAX_STRING = 10_000;
const MAX_RANGE = 1000;

/** Whether a `.$` value is an intrinsic call rather than a path. */
export function isIntrinsic(text: string): boolean {
  return /^States\.[A-Za-z0-9]+\s*\(/.test(text);
}

class Parser {
  private i = 0;
  constructor(private readonly text: string) {}

  parse(): Arg {
    const call = this.call(1);
    this.skipSpace();
    if (this.i !== this.text.length) throw this.fail(`unexpected '${this.text.slice(this.i)}' after the call`);
    return call;
  }

  private fail(message: string): Error {
    return new Error(`${message} in '${this.text}'`);
  }

  private skipSpace(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  private call(depth: number): Arg {
    if (depth > MAX_NESTING) throw this.fail(`more than ${MAX_NESTING} nested intrinsic functions`);
    const match = /^States\.([A-Za-z0-9]+)\s*\(/.exec(this.text.slice(this.i));
    if (!match) throw this.fail(`expected an intrinsic function call at position ${this.i}`);
    this.i += match[0].length;
    const args: Arg[] = [];
    this.skipSpace();
    if (this.text[this.i] === ')') {
      this.i++;
      return { kind: 'call', name: match[1]!, args };
    }
    for (;;) {
      this.skipSpace();
      args.push(this.arg(depth));
      this.skipSpace();
      const c = this.text[this.i++];
      if (c === ')') return { kind: 'call', name: match[1]!, args };
      if (c !== ',') throw this.fail(`expected ',' or ')' at position ${this.i - 1}`);
    }
  }

  private arg(depth: number): Arg {
    const rest = this.text.slice(this.i);
    if (rest.startsWith("'")) return this.string();
    if (rest.startsWith('$')) return this.path();
    if (rest.startsWith('States.')) return this.call(depth + 1);
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(rest);
    if (!literal) throw this.fail(`unexpected argument at position ${this.i}`);
    this.i += literal[0].length;
    return { kind: 'literal', value: JSON.parse(literal[0]) as unknown };
  }

  private string(): Arg {
    let value = '';
    let raw = '';
    this.i++; // the opening quote
    while (this.i < this.text.length) {
      const c = this.text[this.i++]!;
      if (c === '\\') {
        const next = this.text[this.i++];
        if (next === undefined) break;
        value += next;
        raw += next === '{' || next === '}' ? `\\${next}` : next;
      } else if (c === "'") {
        return { kind: 'literal', value, raw };
      } else {
        value += c;
        raw += c;
      }
    }
    throw this.fail('unterminated string');
  }

  private path(): Arg {
    const start = this.i;
    let depth = 0;
    let quote: string | undefined;
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (quote !== undefined) {
        if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if (c === ']' || c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      this.i++;
    }
    return { kind: 'path', path: this.text.slice(start, this.i).trim() };
  }
}

/** Parses an intrinsic call; throws with the reason when it is not well formed (used by validation too). */
export function parseIntrinsic(text: string): Arg {
  return new Parser(text).parse();
}

/** Names of the functions this interpreter knows. */
export const INTRINSIC_NAMES: readonly string[] = [
  'Format', 'StringToJson', 'JsonToString', 'Array', 'ArrayPartition', 'ArrayContains', 'ArrayRange', 'ArrayGetItem',
  'ArrayLength', 'ArrayUnique', 'Base64Encode', 'Base64Decode', 'Hash', 'JsonMerge', 'MathRandom', 'MathAdd', 'StringSplit', 'UUID',
];

/** Every function name a parsed call uses, nested calls included. */
export function intrinsicNamesIn(arg: Arg): string[] {
  return arg.kind === 'call' ? [arg.name, ...arg.args.flatMap(intrinsicNamesIn)] : [];
}

/** Evaluates an intrinsic call against the state's input and the context object. */
export function evaluateIntrinsic(text: string, scope: IntrinsicScope): unknown {
  let parsed: Arg;
  try {
    parsed = parseIntrinsic(text);
  } catch (err) {
    throw new StatesError(STATES_ERRORS.IntrinsicFailure, (err as Error).message);
  }
  return evaluate(parsed, scope);
}

function evaluate(arg: Arg, scope: IntrinsicScope): unknown {
  if (arg.kind === 'literal') return arg.value;
  if (arg.kind === 'path') {
    try {
      return readPath(arg.path, scope.input, scope.context, scope.variables);
    } catch (err) {
      if (err instanceof PathNotFound) throw new StatesError(STATES_ERRORS.Runtime, `the path '${arg.path}' given to an intrinsic function matches nothing in the input`);
      throw err;
    }
  }
  const values = arg.args.map((a) => evaluate(a, scope));
  const fn = FUNCTIONS[arg.name];
  if (fn === undefined) throw new StatesError(STATES_ERRORS.IntrinsicFailure, `States.${arg.name} is not an intrinsic function`);
  try {
    return fn(values, arg.args, scope.env);
  } catch (err) {
    if (err instanceof StatesError) throw err;
    throw new StatesError(STATES_ERRORS.IntrinsicFailure, `States.${arg.name}: ${(err as Error).message}`);
  }
}

type Fn = (values: unknown[], args: Arg[], env: IntrinsicEnv) => unknown;

/** Calls an intrinsic on evaluated arguments (for JSONata's Step Functions functions); throws with the reason. */
export function callIntrinsic(name: string, values: unknown[], env: IntrinsicEnv): unknown {
  const fn = FUNCTIONS[name];
  if (fn === undefined) throw new Error(`States.${name} is not an intrinsic function`);
  return fn(values, values.map((value) => ({ kind: 'literal', value })), env);
}

function arity(values: unknown[], min: number, max = min): void {
  if (values.length < min || values.length > max) {
    throw new Error(`takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${values.length}`);
  }
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string, got ${JSON.stringify(value)}`);
  if (value.length > MAX_STRING) throw new Error(`${what} is longer than ${MAX_STRING} characters`);
  return value;
}

function int(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${what} must be an integer, got ${JSON.stringify(value)}`);
  return value;
}

function arr(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} must be an array, got ${JSON.stringify(value)}`);
  return value as unknown[];
}

function obj(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

/** mulberry32: a small seeded generator, so MathRandom (and JSONata's $random) with a seed returns the same number every time. */
export function seededRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function format(values: unknown[], args: Arg[]): string {
  if (values.length < 1) throw new Error('takes a template string and its arguments');
  const first = args[0]!;
  const template = first.kind === 'literal' && first.raw !== undefined ? first.raw : str(values[0], 'the template');
  if (typeof values[0] !== 'string') throw new Error('the template must be a string');
  const params = values.slice(1);
  let out = '';
  let used = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && (template[i + 1] === '{' || template[i + 1] === '}')) {
      out += template[++i]!;
    } else if (c === '{' && template[i + 1] === '}') {
      if (used >= params.length) throw new Error(`the template has more {} than the ${params.length} argument(s) given`);
      const value = params[used++];
      if (value !== null && typeof value === 'object') throw new Error(`argument ${used} is not a string, number, boolean or null: ${JSON.stringify(value)}`);
      out += typeof value === 'string' ? value : JSON.stringify(value);
      i++;
    } else {
      out += c;
    }
  }
  if (used !== params.length) throw new Error(`the template has ${used} {} for ${params.length} argument(s)`);
  return out;
}

const FUNCTIONS: Record<string, Fn> = {
  Format: format,
  StringToJson: (v) => {
    arity(v, 1);
    return JSON.parse(str(v[0], 'the argument')) as unknown;
  },
  JsonToString: (v) => {
    arity(v, 1);
    return JSON.stringify(v[0]);
  },
  Array: (v) => v,
  ArrayPartition: (v) => {
    arity(v, 2);
    const items = arr(v[0], 'the first argument');
    const size = int(v[1], 'the chunk size');
    if (size <= 0) throw new Error(`the chunk size must be positive, got ${size}`);
    const chunks: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    return chunks;
  },
  ArrayContains: (v) => {
    arity(v, 2);
    return arr(v[0], 'the first argument').some((item) => jsonEquals(item, v[1]));
  },
  ArrayRange: (v) => {
    arity(v, 3);
    const [start, end, step] = [int(v[0], 'start'), int(v[1], 'end'), int(v[2], 'step')];
    if (step === 0) throw new Error('step must not be 0');
    const out: number[] = [];
    for (let x = start; step > 0 ? x <= end : x >= end; x += step) {
      if (out.length === MAX_RANGE) throw new Error(`the range has more than ${MAX_RANGE} items`);
      out.push(x);
    }
    return out;
  },
  ArrayGetItem: (v) => {
    arity(v, 2);
    const items = arr(v[0], 'the first argument');
    const index = int(v[1], 'the index');
    if (index < 0 || index >= items.length) throw new Error(`index ${index} is out of the array's bounds (length ${items.length})`);
    return items[index];
  },
  ArrayLength: (v) => {
    arity(v, 1);
    return arr(v[0], 'the argument').length;
  },
  ArrayUnique: (v) => {
    arity(v, 1);
    const out: unknown[] = [];
    for (const item of arr(v[0], 'the argument')) if (!out.some((seen) => jsonEquals(seen, item))) out.push(item);
    return out;
  },
  Base64Encode: (v) => {
    arity(v, 1);
    return base64Encode(str(v[0], 'the argument'));
  },
  Base64Decode: (v) => {
    arity(v, 1);
    return base64Decode(str(v[0], 'the argument'));
  },
  Hash: (v) => {
    arity(v, 2);
    return hashHex(str(v[0], 'the data'), str(v[1], 'the algorithm'));
  },
  JsonMerge: (v) => {
    arity(v, 3);
    if (v[2] !== false) throw new Error('only a shallow merge is defined: the third argument must be false');
    return { ...obj(v[0], 'the first argument'), ...obj(v[1], 'the second argument') };
  },
  MathRandom: (v, _args, env) => {
    arity(v, 2, 3);
    const [start, end] = [int(v[0], 'start'), int(v[1], 'end')];
    if (end <= start) throw new Error(`end (${end}) must be greater than start (${start})`);
    const r = v.length === 3 ? seededRandom(int(v[2], 'the seed')) : env.random();
    return start + Math.floor(r * (end - start));
  },
  MathAdd: (v) => {
    arity(v, 2);
    return int(v[0], 'the first argument') + int(v[1], 'the second argument');
  },
  StringSplit: (v) => {
    arity(v, 2);
    const text = str(v[0], 'the string');
    const delimiters = new Set(str(v[1], 'the delimiters'));
    const parts: string[] = [];
    let current = '';
    for (const c of text) {
      if (delimiters.has(c)) {
        if (current !== '') parts.push(current);
        current = '';
      } else current += c;
    }
    if (current !== '') parts.push(current);
    return parts;
  },
  UUID: (v, _args, env) => {
    arity(v, 0);
    return env.uuid();
  },
};

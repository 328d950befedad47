/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for the values an audit event holds, so that
 * the same event always hashes to the same bytes, whichever process wrote it.
 *
 * RFC 8785 builds on ECMAScript's JSON.stringify for primitives, so this module leans on
 * it for strings and numbers; what it adds is sorting object properties by UTF-16 code
 * units, and refusing anything that is not plain JSON instead of silently dropping or
 * converting it the way JSON.stringify does (undefined properties vanish, Dates become
 * strings, Maps become {}).
 */
import { CanonicalJsonError } from './errors';

/** The values canonicalJson accepts. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface CanonicalJsonOptions {
  /** Name for the root value in error paths, e.g. `event` gives `event.meta.when`. Default `value`. */
  rootName?: string;
}

/**
 * The RFC 8785 canonical JSON text of `value`. Throws a CanonicalJsonError naming the path
 * of the first offending part if `value` holds anything other than null, booleans, finite
 * numbers, strings of valid Unicode, arrays and plain objects (prototype Object.prototype
 * or null), or if it contains a cycle.
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  const out: string[] = [];
  write(value, options.rootName ?? 'value', new Map(), out);
  return out.join('');
}

/** UTF-8 bytes of canonicalJson(value): what gets hashed (RFC 8785 §3.2.4). */
export function canonicalBytes(value: unknown, options: CanonicalJsonOptions = {}): Uint8Array {
  return new Uint8Array(Buffer.from(canonicalJson(value, options), 'utf8'));
}

/** `ancestors` maps each object on the current path to its own path, to report cycles. */
function write(value: unknown, path: string, ancestors: Map<object, string>, out: string[]): void {
  switch (typeof value) {
    case 'string':
      checkWellFormed(value, path, 'string');
      // ECMAScript JSON.stringify escaping is exactly RFC 8785 §3.2.2.2.
      out.push(JSON.stringify(value));
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new CanonicalJsonError('NON_FINITE_NUMBER', path, `${String(value)} is not a JSON value (RFC 8785 §3.2.2.3 allows only finite numbers)`);
      }
      // For finite numbers JSON.stringify is ECMAScript Number::toString, which RFC 8785
      // §3.2.2.3 adopts; it also maps -0 to "0".
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'undefined':
      throw new CanonicalJsonError('NOT_JSON', path, 'undefined is not a JSON value; omit it or use null');
    case 'bigint':
      throw new CanonicalJsonError('NOT_JSON', path, 'bigint is not a JSON value; use a decimal string, or a number if it is a safe integer');
    case 'function':
      throw new CanonicalJsonError('NOT_JSON', path, 'a function is not a JSON value');
    case 'symbol':
      throw new CanonicalJsonError('NOT_JSON', path, 'a symbol is not a JSON value');
    case 'object':
      break;
  }
  if (value === null) {
    out.push('null');
    return;
  }
  const seenAt = ancestors.get(value);
  if (seenAt !== undefined) {
    throw new CanonicalJsonError('CYCLE', path, `cycle: refers back to ${seenAt}`);
  }
  ancestors.set(value, path);
  if (Array.isArray(value)) {
    writeArray(value, path, ancestors, out);
  } else {
    writeObject(value, path, ancestors, out);
  }
  ancestors.delete(value);
}

function writeArray(array: readonly unknown[], path: string, ancestors: Map<object, string>, out: string[]): void {
  out.push('[');
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out.push(',');
    if (!(i in array)) {
      throw new CanonicalJsonError('NOT_JSON', `${path}[${i}]`, 'hole in a sparse array is not a JSON value; fill it with null');
    }
    write(array[i], `${path}[${i}]`, ancestors, out);
  }
  out.push(']');
}

function writeObject(object: object, path: string, ancestors: Map<object, string>, out: string[]): void {
  if (!isPlainObject(object)) {
    throw new CanonicalJsonError('NOT_JSON', path, notPlainObject(object));
  }
  if (Object.getOwnPropertySymbols(object).length > 0) {
    throw new CanonicalJsonError('NOT_JSON', path, 'symbol-keyed properties are not JSON; use string keys');
  }
  // RFC 8785 §3.2.3: sort by the UTF-16 code units of the names, which is what JavaScript's
  // `<` on strings compares (not code points, not locale order).
  const keys = Object.keys(object).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const record = object as Record<string, unknown>;
  out.push('{');
  keys.forEach((key, i) => {
    const keyPath = childPath(path, key);
    checkWellFormed(key, keyPath, 'property name');
    if (i > 0) out.push(',');
    out.push(JSON.stringify(key), ':');
    write(record[key], keyPath, ancestors, out);
  });
  out.push('}');
}

/**
 * True for `{...}` literals, JSON.parse output and Object.create(null). Checked by shape
 * rather than `=== Object.prototype` so that plain objects from another realm (a vm
 * context, a worker's sandbox) are accepted too.
 */
function isPlainObject(object: object): boolean {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto === null || proto === Object.prototype) return true;
  if (typeof proto !== 'object' || Object.getPrototypeOf(proto) !== null) return false;
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof ctor === 'function' && ctor.name === 'Object';
}

/** Explains why a non-plain object is refused, with the usual fix. */
function notPlainObject(object: object): string {
  if (object instanceof Date) return 'Date is not a JSON value; use an ISO string';
  if (object instanceof Map) return 'Map is not a JSON value; use a plain object';
  if (object instanceof Set) return 'Set is not a JSON value; use an array';
  if (object instanceof RegExp) return 'RegExp is not a JSON value; use its source string';
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    return `${object.constructor.name} is not a JSON value; use a hex or base64 string`;
  }
  if (object instanceof Number || object instanceof String || object instanceof Boolean) {
    return `boxed ${object.constructor.name} is not a JSON value; use the primitive`;
  }
  const name = (object.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== ''
    ? `${name} instance is not a plain object; convert it to one`
    : 'object with a custom prototype is not a plain object; convert it to one';
}

/**
 * RFC 8785 §3.2.2.2 requires lone surrogates to be rejected: JSON.stringify would escape
 * them, but they are not Unicode text and other implementations would differ.
 */
function checkWellFormed(text: string, path: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++; // a valid pair
      continue;
    }
    const hex = unit.toString(16).padStart(4, '0');
    throw new CanonicalJsonError('LONE_SURROGATE', path, `${what} has a lone surrogate \\u${hex} at index ${i}; RFC 8785 requires valid Unicode`);
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

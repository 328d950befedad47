/**
 * Input rules, checked before anything touches S3 so that a bad call fails fast, with the field
 * named, and never leaves a half-saved checkpoint behind.
 */
import { CheckpointValidationError, describeValue } from './errors';

export const MAX_RUN_KEY_CHARS = 256;
export const MAX_NAME_CHARS = 256;
/** Manifests are read whole (and listed by the hundred), so metadata is for metrics and state, not payloads. */
export const MAX_METADATA_BYTES = 1024 * 1024;

/**
 * Index of the first C0 control, DEL or C1 control (invisible in logs and consoles, and a source
 * of lookalike keys), or -1. A loop rather than a regex: the lint rule bans control-char regexes.
 */
function controlCharIndex(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return i;
  }
  return -1;
}
/**
 * Lone UTF-16 surrogates cannot be encoded as UTF-8; Node would silently replace them with U+FFFD,
 * so two different run keys could end up at the same S3 key.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Checkpoint ids are 32 lowercase hex digits (see checkpoint-id.ts). */
export const CHECKPOINT_ID_PATTERN = /^[0-9a-f]{32}$/;

export function validateRunKey(runKey: unknown, field = 'runKey'): string {
  validateLabel(runKey, field, MAX_RUN_KEY_CHARS);
  return runKey;
}

export function validateName(name: unknown, field = 'name'): string {
  validateLabel(name, field, MAX_NAME_CHARS);
  return name;
}

function validateLabel(value: unknown, field: string, maxChars: number): asserts value is string {
  if (typeof value !== 'string') throw new CheckpointValidationError(field, 'a string', describeValue(value));
  if (value.length === 0) throw new CheckpointValidationError(field, 'a non-empty string', 'an empty string');
  const chars = [...value].length;
  if (chars > maxChars) throw new CheckpointValidationError(field, `at most ${maxChars} characters`, `${chars} characters`);
  const control = controlCharIndex(value);
  if (control >= 0) {
    const hex = value.charCodeAt(control).toString(16).toUpperCase().padStart(4, '0');
    throw new CheckpointValidationError(field, 'no control characters', `U+${hex} at index ${control}`);
  }
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) {
    throw new CheckpointValidationError(field, 'well-formed Unicode', `a lone surrogate at index ${surrogate.index}`);
  }
}

export function validateStep(step: unknown, field = 'step'): number {
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw new CheckpointValidationError(field, `a non-negative safe integer (0..${Number.MAX_SAFE_INTEGER})`, describeValue(step));
  }
  // -0 passes the checks above; normalise so it prints (and pads) as 0.
  return step === 0 ? 0 : step;
}

export function validateCheckpointId(id: unknown, field = 'checkpointId'): string {
  if (typeof id !== 'string' || !CHECKPOINT_ID_PATTERN.test(id)) {
    throw new CheckpointValidationError(field, 'a checkpoint id (32 lowercase hex digits)', describeValue(id));
  }
  return id;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Metadata must survive a JSON round trip unchanged. `JSON.stringify` is lenient in ways that lose
 * data silently (undefined and functions vanish, NaN becomes null, a Date becomes a string, a Map
 * becomes {}) or throw late (bigint, cycles), so every value is checked here and the first bad one
 * is reported with its path.
 */
export function validateMetadata(metadata: unknown, field = 'metadata'): JsonObject {
  if (!isPlainObject(metadata)) throw new CheckpointValidationError(field, 'a plain JSON object', describeValue(metadata));
  checkJson(metadata, field, new Set());
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > MAX_METADATA_BYTES) {
    throw new CheckpointValidationError(field, `at most ${MAX_METADATA_BYTES} bytes of JSON`, `${bytes} bytes`);
  }
  return metadata as JsonObject;
}

function checkJson(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CheckpointValidationError(path, 'a finite number (JSON has no NaN or Infinity)', String(value));
      return;
    case 'object':
      break;
    default:
      throw new CheckpointValidationError(path, 'a JSON value (null, boolean, finite number, string, array or plain object)', describeValue(value));
  }
  if (value === null) return;
  if (ancestors.has(value)) throw new CheckpointValidationError(path, 'a tree of JSON values', 'a circular reference');
  ancestors.add(value);
  if (Array.isArray(value)) {
    // Holes in sparse arrays become null in JSON; treat them like undefined elements.
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (!(i in value)) throw new CheckpointValidationError(`${path}[${i}]`, 'a JSON value', 'an array hole');
      checkJson(element, `${path}[${i}]`, ancestors);
    }
  } else if (isPlainObject(value)) {
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new CheckpointValidationError(path, 'string keys only', 'a symbol-keyed property (JSON drops it)');
    }
    for (const [key, child] of Object.entries(value)) checkJson(child, childPath(path, key), ancestors);
  } else {
    throw new CheckpointValidationError(
      path,
      'a JSON value (null, boolean, finite number, string, array or plain object)',
      `${describeValue(value)}${value instanceof Date ? ' (store it as an ISO string)' : ArrayBuffer.isView(value) ? ' (store it as an array of numbers)' : ''}`,
    );
  }
  ancestors.delete(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function childPath(parent: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** S3's limits: parts are 5 MiB..5 GiB (except the last), and a single PUT or CopyObject tops out at 5 GiB. */
export const S3_MIN_PART_BYTES = 5 * MIB;
export const S3_MAX_SINGLE_BYTES = 5 * GIB;
export const S3_MAX_PARTS = 10_000;

export function validateInteger(value: unknown, field: string, min: number, max: number, unit = 'bytes'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CheckpointValidationError(field, `an integer number of ${unit} in ${min}..${max}`, describeValue(value));
  }
  return value;
}

/**
 * The key prefix: empty (the bucket root) or ending in '/'. A missing slash is rejected rather than
 * added, because 'checkpoints' + 'blobs/...' would silently land somewhere else than intended.
 */
export function validatePrefix(prefix: unknown, field = 'options.prefix'): string {
  if (typeof prefix !== 'string') throw new CheckpointValidationError(field, 'a string', describeValue(prefix));
  if (prefix === '') return prefix;
  if (!prefix.endsWith('/')) throw new CheckpointValidationError(field, "'' or a string ending in '/'", describeValue(prefix));
  if (prefix.startsWith('/')) throw new CheckpointValidationError(field, "no leading '/' (S3 keys are not absolute paths)", describeValue(prefix));
  if (controlCharIndex(prefix) >= 0 || LONE_SURROGATE.test(prefix)) {
    throw new CheckpointValidationError(field, 'printable, well-formed characters', describeValue(prefix));
  }
  // Leaves room under S3's 1024-byte key limit for the longest layout key (see layout.ts).
  const bytes = Buffer.byteLength(prefix, 'utf8');
  if (bytes > 256) throw new CheckpointValidationError(field, 'at most 256 bytes of UTF-8', `${bytes} bytes`);
  return prefix;
}

/**
 * Typed errors of the checkpoint store. Each carries a stable `code`, so callers (and Temporal
 * retry policies, via the error's name) can tell "your input is wrong" from "the stored data is
 * wrong" from "S3 had a bad moment" without parsing messages.
 */

export type CheckpointErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'HASH_MISMATCH'
  | 'BLOB_MISSING'
  | 'MANIFEST_INVALID'
  | 'UPLOAD_FAILED';

export abstract class CheckpointError extends Error {
  abstract readonly code: CheckpointErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An argument broke a rule. Never worth retrying: the same input fails the same way. */
export class CheckpointValidationError extends CheckpointError {
  readonly code = 'INVALID_INPUT';

  constructor(
    /** The offending argument, as a path: `runKey`, `metadata.metrics.loss`, `options.partSizeBytes`. */
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${field}: expected ${expected}, found ${found}`);
  }
}

/** No manifest for this run key (and id), or no checkpoint at all when asking for 'latest'. */
export class CheckpointNotFoundError extends CheckpointError {
  readonly code = 'NOT_FOUND';

  constructor(
    readonly runKey: string,
    readonly checkpointId: string,
    detail: string,
  ) {
    super(`no checkpoint ${checkpointId === 'latest' ? '(latest)' : `"${checkpointId}"`} for run "${runKey}": ${detail}`);
  }
}

/**
 * Stored data does not match what its manifest promises: the blob's bytes hash differently
 * (HASH_MISMATCH), the blob is gone (BLOB_MISSING), or the manifest itself is unreadable or
 * inconsistent with where it is stored (MANIFEST_INVALID). Data is never returned in these cases.
 */
export class CheckpointIntegrityError extends CheckpointError {
  constructor(
    readonly code: 'HASH_MISMATCH' | 'BLOB_MISSING' | 'MANIFEST_INVALID',
    /** The S3 key of the object at fault. */
    readonly key: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${describe(code)} at s3 key "${key}": expected ${expected}, found ${found}`);
  }
}

/**
 * Saving failed (the source stream threw, or S3 refused). The store has already cleaned up what it
 * wrote (temp object, multipart upload); `cleanupError` is set if that cleanup failed too, in which
 * case `sweepIncomplete` (or a bucket lifecycle rule) will reclaim it later.
 */
export class CheckpointUploadError extends CheckpointError {
  readonly code = 'UPLOAD_FAILED';

  constructor(
    message: string,
    cause: unknown,
    readonly cleanupError?: unknown,
  ) {
    super(message, { cause });
  }
}

function describe(code: CheckpointIntegrityError['code']): string {
  switch (code) {
    case 'HASH_MISMATCH':
      return 'checkpoint blob content does not match its manifest';
    case 'BLOB_MISSING':
      return 'checkpoint blob is missing';
    case 'MANIFEST_INVALID':
      return 'checkpoint manifest is invalid';
  }
}

/** Short, bounded rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    return `${JSON.stringify(shown)} (string of ${value.length} chars)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return ctor && ctor !== 'Object' ? `an instance of ${ctor}` : 'an object';
}

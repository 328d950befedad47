/**
 * The error convention between Lambda handlers and the worker, with no dependencies, so both
 * sides (and workflow code, for the constants) can import it.
 *
 * Lambda's Node.js runtime reports a thrown error as `{ errorType, errorMessage, trace }`, where
 * `errorType` is the error's `name`; any other property of the error is dropped. So the only
 * channel for "do not retry this" is the type itself: a handler error marked non-retryable travels
 * with the type `NonRetryable:<name>` (e.g. `NonRetryable:PaymentDeclined`), and the worker turns it
 * into `ApplicationFailure.nonRetryable(message, 'PaymentDeclined')`. Workflow code only ever sees
 * the plain name.
 */

/** Prefix of `errorType` that marks a handler error as non-retryable on the wire. */
export const NON_RETRYABLE_PREFIX = 'NonRetryable:';

const NON_RETRYABLE = Symbol.for('stepless.nonRetryable');

/**
 * Marks an error as non-retryable: Temporal will not retry the activity, whatever the call site's
 * retry policy says. Returns the same error, so it reads `throw nonRetryable(new PaymentDeclined(...))`.
 * An error class can declare `readonly nonRetryable = true` instead.
 */
export function nonRetryable<E extends Error>(error: E): E {
  Object.defineProperty(error, NON_RETRYABLE, { value: true, enumerable: false });
  return error;
}

/** A new error of this name (its failure type) that Temporal will not retry. */
export function nonRetryableError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return nonRetryable(error);
}

/** Whether a handler error was marked with `nonRetryable()` or declares `nonRetryable: true`. */
export function isMarkedNonRetryable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as { [NON_RETRYABLE]?: unknown; nonRetryable?: unknown };
  return e[NON_RETRYABLE] === true || e.nonRetryable === true;
}

/** The type a handler error travels with, and back. */
export function encodeErrorType(name: string, nonRetryable: boolean): string {
  return nonRetryable && !name.startsWith(NON_RETRYABLE_PREFIX) ? `${NON_RETRYABLE_PREFIX}${name}` : name;
}

export function decodeErrorType(errorType: string): { type: string; nonRetryable: boolean } {
  if (errorType.startsWith(NON_RETRYABLE_PREFIX) && errorType.length > NON_RETRYABLE_PREFIX.length) {
    return { type: errorType.slice(NON_RETRYABLE_PREFIX.length), nonRetryable: true };
  }
  return { type: errorType, nonRetryable: false };
}

/** The name an error is reported under: its `name`, else its constructor's, as Lambda's runtime does. */
export function errorNameOf(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name || 'Error';
  if (error === null) return 'null';
  return typeof error;
}

/**
 * What a handler rethrows so that Lambda's runtime reports the convention's `errorType`: an Error
 * with the encoded name, the original message and stack. Errors that are not marked pass unchanged.
 */
export function toWireError(error: unknown): unknown {
  if (!isMarkedNonRetryable(error)) return error;
  const original = error as Error;
  const wire = new Error(typeof original.message === 'string' ? original.message : String(error));
  wire.name = encodeErrorType(errorNameOf(error), true);
  if (typeof original.stack === 'string') wire.stack = original.stack.replace(/^[^\n:]*/, wire.name);
  return wire;
}

/** Failure types from Lambda itself (not from handler code) that a retry cannot fix. */
export const NON_RETRYABLE_LAMBDA_ERROR_TYPES: readonly string[] = ['Function.ResponseSizeTooLarge', 'Runtime.UnmarshalError'];

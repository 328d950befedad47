import { CanonicalJsonError, ProofError } from '../../../runtime/audit';

/** Runs `fn` and returns what it threw, or undefined. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/**
 * Asserts that `fn` throws a ProofError with `code` (and, if given, a message containing
 * `message`), or returns normally when `code` is null.
 */
export function expectProofCode(fn: () => unknown, code: string | null, message?: string): void {
  const err = thrownBy(fn);
  if (code === null) {
    expect(err).toBeUndefined();
    return;
  }
  expect(err).toBeInstanceOf(ProofError);
  expect((err as ProofError).code).toBe(code);
  if (message !== undefined) expect((err as ProofError).message).toContain(message);
}

/** Asserts that `fn` throws a CanonicalJsonError with `code`, `path` and a message containing `message`. */
export function expectJsonError(fn: () => unknown, code: string, path: string, message: string): void {
  const err = thrownBy(fn);
  expect(err).toBeInstanceOf(CanonicalJsonError);
  const jsonErr = err as CanonicalJsonError;
  expect({ code: jsonErr.code, path: jsonErr.path }).toEqual({ code, path });
  expect(jsonErr.message).toContain(`${path}: `);
  expect(jsonErr.message).toContain(message);
}

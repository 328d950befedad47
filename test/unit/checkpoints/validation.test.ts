import { CheckpointValidationError } from '../../../runtime/checkpoints/errors';
import {
  validateCheckpointId,
  validateMetadata,
  validatePrefix,
  validateRunKey,
  validateStep,
} from '../../../runtime/checkpoints/validation';

/** The error a call throws, so tests can check its field and wording, not just that it threw. */
function errorOf(fn: () => unknown): CheckpointValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CheckpointValidationError) return err;
    throw err;
  }
  throw new Error('expected a CheckpointValidationError, but nothing was thrown');
}

describe('validateRunKey', () => {
  it('accepts free text up to 256 characters, counting code points', () => {
    expect(validateRunKey('org/llama-7b@v2 (fine-tune #3)')).toBe('org/llama-7b@v2 (fine-tune #3)');
    expect(validateRunKey('x'.repeat(256))).toHaveLength(256);
    expect(validateRunKey('🙂'.repeat(256))).toHaveLength(512); // 256 characters, 512 UTF-16 units
  });

  it('rejects empty, too long, non-strings, control characters and lone surrogates, naming the field', () => {
    expect(errorOf(() => validateRunKey(''))).toMatchObject({ code: 'INVALID_INPUT', field: 'runKey', expected: 'a non-empty string' });
    expect(errorOf(() => validateRunKey('x'.repeat(257))).message).toBe('runKey: expected at most 256 characters, found 257 characters');
    expect(errorOf(() => validateRunKey(42)).message).toBe('runKey: expected a string, found number 42');
    expect(errorOf(() => validateRunKey('a\nb')).message).toBe('runKey: expected no control characters, found U+000A at index 1');
    expect(errorOf(() => validateRunKey('a\u0085')).found).toBe('U+0085 at index 1');
    expect(errorOf(() => validateRunKey('bad\ud800')).message).toMatch(/well-formed Unicode.*lone surrogate at index 3/);
  });
});

describe('validateStep', () => {
  it('accepts non-negative safe integers, normalising -0', () => {
    expect(validateStep(0)).toBe(0);
    expect(Object.is(validateStep(-0), 0)).toBe(true);
    expect(validateStep(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([[-1], [1.5], [Number.MAX_SAFE_INTEGER + 1], [NaN], [Infinity], ['3'], [undefined]])('rejects %p', (step) => {
    const err = errorOf(() => validateStep(step));
    expect(err.field).toBe('step');
    expect(err.expected).toMatch(/non-negative safe integer/);
  });
});

describe('validateCheckpointId', () => {
  it('accepts 32 lowercase hex digits only', () => {
    expect(validateCheckpointId('0123456789abcdef0123456789abcdef')).toBe('0123456789abcdef0123456789abcdef');
    expect(errorOf(() => validateCheckpointId('0123456789ABCDEF0123456789ABCDEF')).field).toBe('checkpointId');
    expect(errorOf(() => validateCheckpointId('../../etc/passwd', 'parent')).field).toBe('parent');
  });
});

describe('validateMetadata', () => {
  it('accepts nested JSON: metrics, RNG state, hyperparameters', () => {
    const metadata = { metrics: { loss: 0.25, acc: 1 }, rng: [1, 2, 3], hp: { lr: 3e-4, schedule: null, warm: true, tag: 'x' } };
    expect(validateMetadata(metadata)).toBe(metadata);
    expect(validateMetadata(Object.assign(Object.create(null) as object, { a: 1 }))).toEqual({ a: 1 });
  });

  it('rejects values JSON would drop or change, with the path to the first one', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ a: { b: undefined } }, 'metadata.a.b', /undefined/],
      [{ fn: () => 1 }, 'metadata.fn', /a function/],
      [{ n: 10n }, 'metadata.n', /bigint 10n/],
      [{ when: new Date(0) }, 'metadata.when', /instance of Date \(store it as an ISO string\)/],
      [{ list: [1, undefined] }, 'metadata.list[1]', /undefined/],
      [{ 'odd key': { deep: [0, { x: NaN }] } }, 'metadata["odd key"].deep[1].x', /NaN/],
      [{ inf: -Infinity }, 'metadata.inf', /-Infinity/],
      [{ m: new Map() }, 'metadata.m', /instance of Map/],
      [{ state: new Float32Array(2) }, 'metadata.state', /array of numbers/],
      [{ s: Symbol('x') }, 'metadata.s', /a symbol/],
    ];
    for (const [value, field, found] of cases) {
      const err = errorOf(() => validateMetadata(value));
      expect(err.field).toBe(field);
      expect(err.found).toMatch(found);
    }
  });

  it('rejects a non-object top level, sparse arrays, symbol keys and cycles', () => {
    expect(errorOf(() => validateMetadata([1])).message).toBe('metadata: expected a plain JSON object, found an array of 1');
    expect(errorOf(() => validateMetadata(null)).found).toBe('null');
    // eslint-disable-next-line no-sparse-arrays
    expect(errorOf(() => validateMetadata({ a: [1, , 3] })).field).toBe('metadata.a[1]');
    expect(errorOf(() => validateMetadata({ [Symbol('k')]: 1 })).found).toMatch(/symbol-keyed/);
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic.a as Record<string, unknown>).back = cyclic;
    expect(errorOf(() => validateMetadata(cyclic))).toMatchObject({ field: 'metadata.a.back', found: 'a circular reference' });
  });

  it('allows the same object twice when it is not its own ancestor', () => {
    const shared = { x: 1 };
    expect(() => validateMetadata({ a: shared, b: shared })).not.toThrow();
  });

  it('caps the serialised size at 1 MiB', () => {
    expect(errorOf(() => validateMetadata({ blob: 'x'.repeat(1024 * 1024) })).expected).toMatch(/at most 1048576 bytes/);
  });
});

describe('validatePrefix', () => {
  it("accepts '' and strings ending in '/'", () => {
    expect(validatePrefix('')).toBe('');
    expect(validatePrefix('checkpoints/')).toBe('checkpoints/');
    expect(validatePrefix('team/a/ckpt/')).toBe('team/a/ckpt/');
  });

  it("rejects a missing trailing '/', a leading '/' and over-long prefixes", () => {
    expect(errorOf(() => validatePrefix('checkpoints')).field).toBe('options.prefix');
    expect(errorOf(() => validatePrefix('/abs/')).expected).toMatch(/no leading/);
    expect(errorOf(() => validatePrefix(`${'p'.repeat(300)}/`)).expected).toMatch(/256 bytes/);
  });
});

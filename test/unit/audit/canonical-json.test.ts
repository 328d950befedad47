/**
 * RFC 8785 canonical JSON: the RFC's published examples and the reference implementation's
 * test data (test/testdata/rfc8785-vectors.json), key ordering by UTF-16 code units, and
 * rejection of everything that is not plain JSON, with the path in the message.
 */
import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { canonicalBytes, canonicalJson, toHex } from '../../../runtime/audit';
import vectors from '../../testdata/rfc8785-vectors.json';
import { expectJsonError } from './expect-error';

/** The IEEE-754 double with the given bit pattern (hex, 1-16 digits). */
function doubleFromBits(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}
function bitsOfDouble(value: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0);
}
const doubleFromHex = (hex: string): number => doubleFromBits(BigInt(`0x${hex}`));

describe('RFC 8785 Appendix B number serialisation samples', () => {
  it.each(vectors.appendixB.samples)('$ieeeHex -> $expected $comment', ({ ieeeHex, expected }) => {
    const value = doubleFromHex(ieeeHex);
    if (expected === null) {
      expectJsonError(() => canonicalJson(value), 'NON_FINITE_NUMBER', 'value', 'is not a JSON value');
    } else {
      expect(canonicalJson(value)).toBe(expected);
    }
  });

  it('also rejects -Infinity', () => {
    expectJsonError(() => canonicalJson({ x: [-Infinity] }), 'NON_FINITE_NUMBER', 'value.x[0]', '-Infinity is not a JSON value');
  });
});

describe('RFC 8785 §3.2.3 sorting example', () => {
  it('orders the properties by UTF-16 code units', () => {
    const out = canonicalJson(JSON.parse(vectors.sortingExample.input));
    const positions = vectors.sortingExample.expectedValueOrder.map((value) => out.indexOf(`"${value}"`));
    expect(positions.every((at) => at > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe('cyberphone/json-canonicalization test data (input -> output, UTF-8 bytes)', () => {
  it.each(vectors.cyberphoneTestdata)('$name', ({ input, output, outputHex }) => {
    const value: unknown = JSON.parse(input);
    expect(canonicalJson(value)).toBe(output);
    expect(toHex(canonicalBytes(value))).toBe(outputHex);
  });
});

describe('cyberphone ES6 number test file (published SHA-256 of its first lines)', () => {
  const { staticU64s, serialCount, sampleLines, checksums } = vectors.es6NumberFile;

  /** The documented deterministic sequence of doubles. */
  function* numbers(): Generator<number> {
    for (const hex of staticU64s) yield doubleFromHex(hex);
    for (let i = 0; i < serialCount; i++) yield doubleFromBits(0x0010000000000000n + BigInt(i));
    let block = new Uint8Array(32);
    for (;;) {
      block = new Uint8Array(createHash('sha256').update(block).digest());
      const view = new DataView(block.buffer);
      for (let i = 0; i < 4; i++) {
        const f = view.getFloat64(8 * i, true); // the generator reads the digest as little-endian doubles
        if (f !== 0 && Number.isFinite(f)) yield f;
      }
    }
  }

  it('serialises the published sample lines', () => {
    for (const { ieeeHex, expected } of sampleLines) expect(`${ieeeHex},${canonicalJson(doubleFromHex(ieeeHex))}`).toBe(`${ieeeHex},${expected}`);
  });

  it.each(checksums.filter((c) => c.lines <= 10000))('first $lines lines hash to the published $sha256', ({ lines, bytes, sha256 }) => {
    const hash = createHash('sha256');
    let size = 0;
    let count = 0;
    for (const f of numbers()) {
      if (count++ === lines) break;
      const line = `${bitsOfDouble(f).toString(16)},${canonicalJson(f)}\n`;
      hash.update(line);
      size += line.length;
    }
    expect({ size, sha256: hash.digest('hex') }).toEqual({ size: bytes, sha256 });
  });
});

describe('canonical form', () => {
  it('sorts keys by UTF-16 code units, not code points: U+10000 and U+1F600 sort before U+FB33 and U+FFFF', () => {
    const value = { '\uffff': 1, '\ufb33': 2, '\u{1f600}': 3, '\u{10000}': 4, é: 5, z: 6, '': 7, aa: 8, a: 9, '10': 10, '9': 11 };
    const keys = ['', '10', '9', 'a', 'aa', 'z', 'é', '\u{10000}', '\u{1f600}', '\ufb33', '\uffff'];
    expect(canonicalJson(value)).toBe(`{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify((value as Record<string, number>)[k])}`).join(',')}}`);
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson({ b: [{ y: 1, x: 2 }, 3, 'c', 'a'], a: { d: null, c: false } })).toBe('{"a":{"c":false,"d":null},"b":[{"x":2,"y":1},3,"c","a"]}');
  });

  it('escapes strings as ECMAScript JSON.stringify does (lowercase \\u00xx, no escaping of / or U+2028)', () => {
    const text = '\u0000\u0001\b\t\n\u000b\f\r\u001f "\\/\u007f\u2028é€😀';
    expect(canonicalJson(text)).toBe('"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\"\\\\/\u007f\u2028é€😀"');
  });

  it('writes numbers as ECMAScript does: -0 as 0, integers without exponent up to 1e21', () => {
    expect(canonicalJson([-0, 0, 1, -1.5, 1e20, 1e21, 1e-6, 1e-7, 0.1 + 0.2, Number.MAX_SAFE_INTEGER])).toBe(
      '[0,0,1,-1.5,100000000000000000000,1e+21,0.000001,1e-7,0.30000000000000004,9007199254740991]',
    );
  });

  it('writes no whitespace, and UTF-8 bytes for canonicalBytes', () => {
    expect(canonicalJson({ a: [true, false, null], b: 'x y' })).toBe('{"a":[true,false,null],"b":"x y"}');
    const bytes = canonicalBytes({ '€': '😀' });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(toHex(bytes)).toBe('7b22e282ac223a22f09f988022' + '7d');
  });

  it('accepts null-prototype objects, objects from another realm, and shared (non-cyclic) references', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 1;
    bare.a = 2;
    expect(canonicalJson(bare)).toBe('{"a":2,"b":1}');
    expect(canonicalJson(runInNewContext('({ z: [1, { y: 2 }], a: null })'))).toBe('{"a":null,"z":[1,{"y":2}]}');
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  });

  it('is independent of key insertion order, idempotent, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(reverseKeys(value))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});

/** The same JSON value with every object's keys inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('rejects values that are not plain JSON, naming the path', () => {
  class Money {
    constructor(readonly cents: number) {}
  }
  const sym = Symbol('s');
  it.each([
    ['Date', { meta: { when: new Date(0) } }, 'NOT_JSON', 'event.meta.when', 'Date is not a JSON value; use an ISO string'],
    ['undefined property', { a: 1, b: undefined }, 'NOT_JSON', 'event.b', 'undefined is not a JSON value; omit it or use null'],
    ['undefined in an array', { list: [1, undefined] }, 'NOT_JSON', 'event.list[1]', 'undefined is not a JSON value'],
    // eslint-disable-next-line no-sparse-arrays
    ['array hole', { list: [1, , 3] }, 'NOT_JSON', 'event.list[1]', 'hole in a sparse array'],
    ['function', { run: () => 1 }, 'NOT_JSON', 'event.run', 'a function is not a JSON value'],
    ['bigint', { amount: 10n }, 'NOT_JSON', 'event.amount', 'bigint is not a JSON value; use a decimal string'],
    ['symbol value', { s: sym }, 'NOT_JSON', 'event.s', 'a symbol is not a JSON value'],
    ['symbol key', { [sym]: 1 }, 'NOT_JSON', 'event', 'symbol-keyed properties are not JSON'],
    ['NaN', { n: [0, NaN] }, 'NON_FINITE_NUMBER', 'event.n[1]', 'NaN is not a JSON value'],
    ['Infinity', { 'rate-limit': Infinity }, 'NON_FINITE_NUMBER', 'event["rate-limit"]', 'Infinity is not a JSON value'],
    ['Map', { m: new Map() }, 'NOT_JSON', 'event.m', 'Map is not a JSON value; use a plain object'],
    ['Set', { s: new Set([1]) }, 'NOT_JSON', 'event.s', 'Set is not a JSON value; use an array'],
    ['Uint8Array', { bytes: new Uint8Array(2) }, 'NOT_JSON', 'event.bytes', 'Uint8Array is not a JSON value; use a hex or base64 string'],
    ['Buffer', { bytes: Buffer.from('x') }, 'NOT_JSON', 'event.bytes', 'Buffer is not a JSON value; use a hex or base64 string'],
    ['RegExp', { re: /x/ }, 'NOT_JSON', 'event.re', 'RegExp is not a JSON value'],
    ['boxed number', { n: Object(1) as unknown }, 'NOT_JSON', 'event.n', 'boxed Number is not a JSON value; use the primitive'],
    ['class instance', { price: new Money(5) }, 'NOT_JSON', 'event.price', 'Money instance is not a plain object'],
    ['custom prototype', { p: Object.create({ inherited: 1 }) as unknown }, 'NOT_JSON', 'event.p', 'is not a plain object'],
    ['lone high surrogate in a string', { text: 'ok\ud800' }, 'LONE_SURROGATE', 'event.text', 'string has a lone surrogate \\ud800 at index 2'],
    ['lone low surrogate in a key', { nested: { 'a\udc00b': 1 } }, 'LONE_SURROGATE', 'event.nested["a\\udc00b"]', 'property name has a lone surrogate \\udc00 at index 1'],
    ['reversed surrogate pair', ['\ude00\ud83d'], 'LONE_SURROGATE', 'event[0]', 'lone surrogate \\ude00 at index 0'],
  ])('%s', (_name, value, code, path, message) => {
    expectJsonError(() => canonicalJson(value, { rootName: 'event' }), code, path, message);
  });

  it('reports a cycle with the path it refers back to', () => {
    const event: Record<string, unknown> = { meta: { tags: [] as unknown[] } };
    ((event.meta as { tags: unknown[] }).tags).push(event.meta);
    expectJsonError(() => canonicalJson(event, { rootName: 'event' }), 'CYCLE', 'event.meta.tags[0]', 'cycle: refers back to event.meta');
  });

  it('names the root "value" by default, also for canonicalBytes', () => {
    expectJsonError(() => canonicalBytes(undefined), 'NOT_JSON', 'value', 'undefined is not a JSON value');
    expectJsonError(() => canonicalJson([new Date(0)]), 'NOT_JSON', 'value[0]', 'Date is not a JSON value');
  });
});

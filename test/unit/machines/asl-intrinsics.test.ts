import { createHash } from 'node:crypto';
import { STATES_ERRORS, StatesError } from '../../../workflows/machines/asl/errors';
import { evaluateIntrinsic, parseIntrinsic } from '../../../workflows/machines/asl/intrinsics';

/** The intrinsics of JSONPath states, each against the behaviour the Step Functions guide gives it. */
const input = {
  name: 'Ada',
  n: 7,
  list: [1, 2, 3, 4, 5],
  dupes: [1, '1', 1, { a: 1 }, { a: 1 }, null, null],
  json: '{"x":[1,2],"y":"z"}',
  csv: 'a,b;;c',
  objA: { a: 1, shared: 'A', nested: { keep: true } },
  objB: { b: 2, shared: 'B', nested: { other: true } },
  text: 'Hello, Wörld ✓',
};
const scope = { input, context: { Execution: { Name: 'exec-9' } }, variables: { greeting: 'hi' }, env: { random: () => 0.999, uuid: () => '5d4c1a4e-6f4b-4b7e-9a3e-8d3b2c1a0f9e' } };
const run = (text: string): unknown => evaluateIntrinsic(text, scope);

function failureOf(text: string): StatesError {
  try {
    run(text);
  } catch (err) {
    return err as StatesError;
  }
  throw new Error(`${text} did not fail`);
}

describe('intrinsic functions', () => {
  it.each<[string, unknown]>([
    ["States.Format('Hello, {}! You are {}.', $.name, $.n)", 'Hello, Ada! You are 7.'],
    ["States.Format('literal \\{\\} and {}', $$.Execution.Name)", 'literal {} and exec-9'],
    ["States.Format('{} {} {}', true, null, $greeting)", 'true null hi'],
    ["States.Format('it\\'s {}', 'ok')", "it's ok"],
    ['States.StringToJson($.json)', { x: [1, 2], y: 'z' }],
    ['States.JsonToString($.objA)', '{"a":1,"shared":"A","nested":{"keep":true}}'],
    ["States.Array('a', 1, $.n, States.Array())", ['a', 1, 7, []]],
    ['States.ArrayPartition($.list, 2)', [[1, 2], [3, 4], [5]]],
    ['States.ArrayContains($.list, 3)', true],
    ['States.ArrayContains($.dupes, $.objA.nested)', false],
    ['States.ArrayRange(1, 9, 2)', [1, 3, 5, 7, 9]],
    ['States.ArrayRange(5, 1, -2)', [5, 3, 1]],
    ['States.ArrayGetItem($.list, 4)', 5],
    ['States.ArrayLength($.list)', 5],
    ['States.ArrayUnique($.dupes)', [1, '1', { a: 1 }, null]],
    ["States.Base64Encode('Data to encode')", 'RGF0YSB0byBlbmNvZGU='],
    ["States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", 'Data to encode'],
    ['States.Base64Decode(States.Base64Encode($.text))', 'Hello, Wörld ✓'],
    ['States.JsonMerge($.objA, $.objB, false)', { a: 1, b: 2, shared: 'B', nested: { other: true } }],
    ['States.MathRandom(1, 10)', 9],
    ['States.MathAdd($.n, -20)', -13],
    ["States.StringSplit($.csv, ',;')", ['a', 'b', 'c']],
    ["States.StringSplit('1,2,3', ',')", ['1', '2', '3']],
    ['States.UUID()', '5d4c1a4e-6f4b-4b7e-9a3e-8d3b2c1a0f9e'],
    ['States.ArrayLength(States.StringSplit(States.Format(\'{}-{}\', $.name, $.n), \'-\'))', 2],
  ])('%s', (text, expected) => {
    expect(run(text)).toEqual(expected);
  });

  it('Base64Encode agrees with Node for multi-byte text', () => {
    expect(run('States.Base64Encode($.text)')).toBe(Buffer.from(input.text, 'utf8').toString('base64'));
  });

  it.each(['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'])('Hash with %s agrees with node:crypto', (algorithm) => {
    const node = createHash(algorithm.replace('-', '').toLowerCase()).update(input.text, 'utf8').digest('hex');
    expect(run(`States.Hash($.text, '${algorithm}')`)).toBe(node);
  });

  it('MathRandom with a seed is the same every time, and inside [start, end)', () => {
    const a = run('States.MathRandom(0, 1000, 42)');
    expect(run('States.MathRandom(0, 1000, 42)')).toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1000);
  });

  it.each([
    ["States.Format('{} {}', 'one')", /more \{\}/],
    ["States.Format('{}', $.objA)", /not a string, number/],
    ['States.ArrayGetItem($.list, 5)', /out of the array's bounds/],
    ['States.ArrayPartition($.list, 0)', /must be positive/],
    ['States.ArrayRange(0, 5000, 1)', /more than 1000/],
    ["States.Hash($.name, 'SHA-3')", /unknown hash algorithm/],
    ['States.JsonMerge($.objA, $.objB, true)', /shallow merge/],
    ['States.StringToJson($.name)', /StringToJson/],
    ["States.Base64Decode('not base64!')", /not a base64/],
    ['States.MathAdd(1.5, 1)', /integer/],
    ['States.Nope(1)', /not an intrinsic function/],
  ])('%s is States.IntrinsicFailure', (text, message) => {
    const failure = failureOf(text);
    expect(failure.error).toBe(STATES_ERRORS.IntrinsicFailure);
    expect(failure.cause).toMatch(message);
  });

  it('a path argument that matches nothing is States.Runtime', () => {
    expect(failureOf('States.ArrayLength($.missing)').error).toBe(STATES_ERRORS.Runtime);
  });

  it('parses nested calls and paths with brackets and commas', () => {
    expect(parseIntrinsic("States.Array($.a['x,y'], States.UUID())")).toEqual({
      kind: 'call',
      name: 'Array',
      args: [{ kind: 'path', path: "$.a['x,y']" }, { kind: 'call', name: 'UUID', args: [] }],
    });
    expect(() => parseIntrinsic("States.Array('unterminated)")).toThrow(/unterminated/);
    expect(() => parseIntrinsic('States.Array(1) extra')).toThrow(/after the call/);
  });
});

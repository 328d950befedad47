import { evaluateRule, wildcardMatches, type ChoiceRule } from '../../../workflows/machines/asl/choice';
import { STATES_ERRORS, StatesError } from '../../../workflows/machines/asl/errors';

const input = {
  s: 'banana',
  n: 42,
  f: 2.5,
  t: true,
  nil: null,
  ts: '2026-12-03T10:00:00Z',
  ts2: '2026-12-03T11:00:00+01:00',
  other: { s: 'apple', n: 42, ts: '2026-12-03T09:59:59.5Z' },
};
const scope = { input, context: {}, variables: { threshold: 40 }, env: { random: () => 0, uuid: () => '' } };
const holds = (rule: ChoiceRule): boolean => evaluateRule(rule, scope);

describe('Choice rules', () => {
  it.each<[ChoiceRule, boolean]>([
    [{ Variable: '$.s', StringEquals: 'banana' }, true],
    [{ Variable: '$.s', StringEquals: 'Banana' }, false],
    [{ Variable: '$.s', StringLessThan: 'cherry' }, true],
    [{ Variable: '$.s', StringGreaterThan: 'cherry' }, false],
    [{ Variable: '$.s', StringLessThanEquals: 'banana' }, true],
    [{ Variable: '$.s', StringGreaterThanEquals: 'banana' }, true],
    [{ Variable: '$.s', StringGreaterThanPath: '$.other.s' }, true],
    [{ Variable: '$.s', StringEqualsPath: '$.other.s' }, false],
    [{ Variable: '$.s', StringMatches: 'b*na' }, true],
    [{ Variable: '$.s', StringMatches: '*nan*' }, true],
    [{ Variable: '$.s', StringMatches: 'ban' }, false],
    [{ Variable: '$.n', NumericEquals: 42 }, true],
    [{ Variable: '$.n', NumericEqualsPath: '$.other.n' }, true],
    [{ Variable: '$.f', NumericLessThan: 3 }, true],
    [{ Variable: '$.f', NumericGreaterThan: 3 }, false],
    [{ Variable: '$.n', NumericLessThanEquals: 42 }, true],
    [{ Variable: '$.n', NumericGreaterThanEquals: 43 }, false],
    [{ Variable: '$.n', NumericGreaterThanPath: '$threshold' }, true],
    [{ Variable: '$.t', BooleanEquals: true }, true],
    [{ Variable: '$.t', BooleanEqualsPath: '$.other.n' }, false],
    [{ Variable: '$.ts', TimestampEquals: '2026-12-03T10:00:00Z' }, true],
    [{ Variable: '$.ts', TimestampEqualsPath: '$.ts2' }, true],
    [{ Variable: '$.ts', TimestampGreaterThanPath: '$.other.ts' }, true],
    [{ Variable: '$.ts', TimestampLessThan: '2026-12-03T10:00:01Z' }, true],
    [{ Variable: '$.ts', TimestampGreaterThanEquals: '2026-12-04T00:00:00Z' }, false],
    [{ Variable: '$.ts', TimestampLessThanEquals: '2026-12-03T10:00:00Z' }, true],
    // A value of another type is no match, not an error.
    [{ Variable: '$.s', NumericEquals: 42 }, false],
    [{ Variable: '$.n', StringEquals: '42' }, false],
    [{ Variable: '$.s', TimestampEquals: '2026-12-03T10:00:00Z' }, false],
    [{ Variable: '$.nil', IsNull: true }, true],
    [{ Variable: '$.s', IsNull: true }, false],
    [{ Variable: '$.missing', IsPresent: false }, true],
    [{ Variable: '$.s', IsPresent: true }, true],
    [{ Variable: '$.n', IsNumeric: true }, true],
    [{ Variable: '$.s', IsString: true }, true],
    [{ Variable: '$.t', IsBoolean: true }, true],
    [{ Variable: '$.ts', IsTimestamp: true }, true],
    [{ Variable: '$.s', IsTimestamp: false }, true],
    [{ And: [{ Variable: '$.n', NumericGreaterThan: 40 }, { Variable: '$.s', StringEquals: 'banana' }] }, true],
    [{ And: [{ Variable: '$.n', NumericGreaterThan: 40 }, { Variable: '$.s', StringEquals: 'kiwi' }] }, false],
    [{ Or: [{ Variable: '$.n', NumericLessThan: 0 }, { Variable: '$.t', BooleanEquals: true }] }, true],
    [{ Not: { Variable: '$.s', StringEquals: 'banana' } }, false],
    [{ Not: { Variable: '$.missing', IsPresent: true } }, true],
  ])('%j is %s', (rule, expected) => {
    expect(holds(rule)).toBe(expected);
  });

  it('a Variable that names nothing is States.Runtime (IsPresent aside)', () => {
    let caught: unknown;
    try {
      holds({ Variable: '$.missing', StringEquals: 'x' });
    } catch (err) {
      caught = err;
    }
    expect((caught as StatesError).error).toBe(STATES_ERRORS.Runtime);
    expect((caught as StatesError).cause).toMatch(/\$\.missing/);
  });

  it('StringMatches escapes: \\* is a literal star, other regex characters are literal', () => {
    expect(wildcardMatches('a*b', 'a\\*b')).toBe(true);
    expect(wildcardMatches('axb', 'a\\*b')).toBe(false);
    expect(wildcardMatches('log.2026.txt', 'log.*.txt')).toBe(true);
    expect(wildcardMatches('logX2026Xtxt', 'log.*.txt')).toBe(false);
    expect(wildcardMatches('', '*')).toBe(true);
  });
});

import { DAY_SCALE, parseDuration, POSITIVE, durationProblem } from '../../../workflows/lib/durations';

describe('the one duration grammar (workflows/lib/durations.ts), read by every workflow and the API', () => {
  it('reads a number, decimals allowed, and a unit or its word, in any case and with spaces', () => {
    expect(parseDuration('24 hours')).toBe(86_400_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2 seconds')).toBe(2000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration(' 2 Hours ')).toBe(7_200_000);
    // The training API once refused decimals; the one grammar takes them.
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('1.5 h')).toBe(5_400_000);
  });

  it('refuses what is not a number and a known unit', () => {
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('5 fortnights')).toBeUndefined();
    expect(parseDuration('h')).toBeUndefined();
    expect(parseDuration('-1h')).toBeUndefined();
    expect(parseDuration('1e3s')).toBeUndefined();
  });

  it("checks each field's range and names the rule", () => {
    expect(durationProblem('500 ms')).toBe(DAY_SCALE.rule);
    expect(durationProblem('400 days')).toMatch(/between 1 second and 366 days/);
    expect(durationProblem(5)).toMatch(/duration string/);
    expect(durationProblem('soon')).toMatch(/a duration such as/);
    expect(durationProblem('30 minutes')).toBeUndefined();
    expect(durationProblem('500ms', POSITIVE)).toBeUndefined();
    expect(durationProblem('0s', POSITIVE)).toBe(POSITIVE.rule);
    expect(durationProblem('0.1 ms', POSITIVE)).toBe(POSITIVE.rule);
    expect(durationProblem('400d', POSITIVE)).toBeUndefined();
    expect(durationProblem('101 weeks', POSITIVE)).toBeUndefined();
    expect(durationProblem('6000 weeks', POSITIVE)).toBe(POSITIVE.rule);
  });
});

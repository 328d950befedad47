import { errorMatches, STATES_ERRORS, StatesError } from '../../../workflows/machines/asl/errors';
import { delayBeforeRetry } from '../../../workflows/machines/asl/retry';

/** Which ErrorEquals lists match which errors: the rules of the States.* names. */
describe('Retry and Catch matching', () => {
  const err = (name: string, heartbeat = false): StatesError => new StatesError(name, 'cause', heartbeat);
  it.each<[string[], StatesError, boolean]>([
    [['States.ALL'], err('MyError'), true],
    [['States.ALL'], err(STATES_ERRORS.Timeout), true],
    [['States.ALL'], err(STATES_ERRORS.TaskFailed), true],
    [['States.ALL'], err(STATES_ERRORS.Runtime), false],
    [['States.ALL'], err(STATES_ERRORS.DataLimitExceeded), false],
    [['States.Runtime'], err(STATES_ERRORS.Runtime), false],
    [['States.TaskFailed'], err('Lambda.ServiceException'), true],
    [['States.TaskFailed'], err('MyError'), true],
    [['States.TaskFailed'], err(STATES_ERRORS.Timeout), false],
    [['States.Timeout'], err(STATES_ERRORS.Timeout), true],
    [['States.HeartbeatTimeout'], err(STATES_ERRORS.Timeout, true), true],
    [['States.HeartbeatTimeout'], err(STATES_ERRORS.Timeout), false],
    [['MyError'], err('MyError'), true],
    [['MyError'], err('myerror'), false],
    [['Other', 'MyError'], err('MyError'), true],
    [['Lambda.TooManyRequestsException'], err('Lambda.ServiceException'), false],
    [[], err('MyError'), false],
  ])('%j against %s', (errorEquals, error, expected) => {
    expect(errorMatches(errorEquals, error)).toBe(expected);
  });
});

describe('retry delays', () => {
  it('defaults: 1 s, doubling', () => {
    expect([0, 1, 2, 3].map((n) => delayBeforeRetry({ ErrorEquals: ['X'] }, n, () => 0))).toEqual([1000, 2000, 4000, 8000]);
  });
  it('IntervalSeconds, BackoffRate and MaxDelaySeconds', () => {
    const retrier = { ErrorEquals: ['X'], IntervalSeconds: 3, BackoffRate: 1.5, MaxDelaySeconds: 6 };
    expect([0, 1, 2, 3].map((n) => delayBeforeRetry(retrier, n, () => 0))).toEqual([3000, 4500, 6000, 6000]);
  });
  it('FULL jitter takes a random share of the capped delay; NONE takes it all', () => {
    const retrier = { ErrorEquals: ['X'], IntervalSeconds: 10, JitterStrategy: 'FULL' as const };
    expect(delayBeforeRetry(retrier, 1, () => 0.25)).toBe(5000);
    expect(delayBeforeRetry({ ...retrier, JitterStrategy: 'NONE' }, 1, () => 0.25)).toBe(20000);
  });
});

import { loadWorkerConfig } from '../../worker/config';

describe('loadWorkerConfig', () => {
  const functions = JSON.stringify({ textStats: 'fn-1' });

  it('reads the function map and applies defaults', () => {
    expect(loadWorkerConfig({ STEPLESS_FUNCTIONS: functions })).toEqual({
      temporalAddress: '127.0.0.1:7233',
      temporalNamespace: 'default',
      taskQueue: 'stepless',
      functions: { textStats: 'fn-1' },
      shutdownGraceMs: 10000,
    });
  });

  it.each([
    [{}, /STEPLESS_FUNCTIONS is not set/],
    [{ STEPLESS_FUNCTIONS: '{oops' }, /STEPLESS_FUNCTIONS is not valid JSON/],
    [{ STEPLESS_FUNCTIONS: '["fn"]' }, /must be a JSON object/],
    [{ STEPLESS_FUNCTIONS: '{"a":""}' }, /non-empty strings/],
    [{ STEPLESS_FUNCTIONS: functions, WORKER_SHUTDOWN_GRACE_MS: '-1' }, /WORKER_SHUTDOWN_GRACE_MS must be a whole number/],
  ])('rejects %j with an error naming the variable', (env, message) => {
    expect(() => loadWorkerConfig(env)).toThrow(message);
  });
});

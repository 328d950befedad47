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
      claimCheckThresholdBytes: 256 * 1024,
    });
  });

  it('takes the claim-check bucket and threshold', () => {
    expect(loadWorkerConfig({ STEPLESS_FUNCTIONS: functions, CLAIM_CHECK_BUCKET: 'b', CLAIM_CHECK_THRESHOLD_BYTES: '4096' })).toMatchObject({
      claimCheckBucket: 'b',
      claimCheckThresholdBytes: 4096,
    });
  });

  it.each([
    [{}, /STEPLESS_FUNCTIONS is not set/],
    [{ STEPLESS_FUNCTIONS: '{oops' }, /STEPLESS_FUNCTIONS is not valid JSON/],
    [{ STEPLESS_FUNCTIONS: '["fn"]' }, /must be a JSON object/],
    [{ STEPLESS_FUNCTIONS: '{"a":""}' }, /non-empty strings/],
    [{ STEPLESS_FUNCTIONS: functions, WORKER_SHUTDOWN_GRACE_MS: '-1' }, /WORKER_SHUTDOWN_GRACE_MS must be a whole number/],
    [{ STEPLESS_FUNCTIONS: functions, CLAIM_CHECK_THRESHOLD_BYTES: '12' }, /CLAIM_CHECK_THRESHOLD_BYTES must be a whole number of bytes ≥ 1024/],
  ])('rejects %j with an error naming the variable', (env, message) => {
    expect(() => loadWorkerConfig(env)).toThrow(message);
  });
});

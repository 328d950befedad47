import { DEFAULT_WORKER_TUNING, lambdaSocketsFor, loadWorkerConfig, workerTuningOptions } from '../../worker/config';

describe('loadWorkerConfig', () => {
  const functions = JSON.stringify({ textStats: 'fn-1' });

  it('reads the function map and applies defaults', () => {
    const config = loadWorkerConfig({ STEPLESS_FUNCTIONS: functions });
    expect(config.temporal.describe()).toEqual({ address: '127.0.0.1:7233', namespace: 'default', auth: 'plaintext', tls: false });
    expect(config).toEqual({
      temporal: expect.objectContaining({ address: '127.0.0.1:7233', namespace: 'default' }),
      taskQueue: 'stepless',
      functions: { textStats: 'fn-1' },
      shutdownGraceMs: 10000,
      claimCheckThresholdBytes: 256 * 1024,
      metrics: { enabled: true, intervalMs: 60000 },
    });
  });

  it('takes the claim-check bucket and threshold', () => {
    expect(loadWorkerConfig({ STEPLESS_FUNCTIONS: functions, CLAIM_CHECK_BUCKET: 'b', CLAIM_CHECK_THRESHOLD_BYTES: '4096' })).toMatchObject({
      claimCheckBucket: 'b',
      claimCheckThresholdBytes: 4096,
    });
  });

  it('reads the Temporal connection settings from the same environment', () => {
    const config = loadWorkerConfig({ STEPLESS_FUNCTIONS: functions, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'prod', TEMPORAL_TLS: 'true' });
    expect(config.temporal.describe()).toEqual({ address: 'temporal.internal:7233', namespace: 'prod', auth: 'tls', tls: true });
  });

  it.each([
    [{}, /STEPLESS_FUNCTIONS is not set/],
    [{ STEPLESS_FUNCTIONS: '{oops' }, /STEPLESS_FUNCTIONS is not valid JSON/],
    [{ STEPLESS_FUNCTIONS: '["fn"]' }, /must be a JSON object/],
    [{ STEPLESS_FUNCTIONS: '{"a":""}' }, /non-empty strings/],
    [{ STEPLESS_FUNCTIONS: functions, WORKER_SHUTDOWN_GRACE_MS: '-1' }, /WORKER_SHUTDOWN_GRACE_MS must be a whole number/],
    [{ STEPLESS_FUNCTIONS: functions, CLAIM_CHECK_THRESHOLD_BYTES: '12' }, /CLAIM_CHECK_THRESHOLD_BYTES must be a whole number of bytes ≥ 1024/],
    [{ STEPLESS_FUNCTIONS: functions, NODE_ENV: 'production' }, /TEMPORAL_ADDRESS is not set: it is required in production/],
  ])('rejects %j with an error naming the variable', (env, message) => {
    expect(() => loadWorkerConfig(env)).toThrow(message);
  });

  describe('Worker Deployment versioning', () => {
    const versioned = { STEPLESS_FUNCTIONS: functions, WORKER_DEPLOYMENT_NAME: 'stepless', WORKER_BUILD_ID: 'git-3f2a9c1' };

    it('is off without WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID (empty values count as unset)', () => {
      expect(loadWorkerConfig({ STEPLESS_FUNCTIONS: functions })).not.toHaveProperty('workerDeploymentOptions');
      expect(loadWorkerConfig({ STEPLESS_FUNCTIONS: functions, WORKER_DEPLOYMENT_NAME: '', WORKER_BUILD_ID: '' })).not.toHaveProperty('workerDeploymentOptions');
    });

    it('with both, pins workflows to the version by default', () => {
      expect(loadWorkerConfig(versioned).workerDeploymentOptions).toEqual({
        useWorkerVersioning: true,
        version: { deploymentName: 'stepless', buildId: 'git-3f2a9c1' },
        defaultVersioningBehavior: 'PINNED',
      });
    });

    it.each(['PINNED', 'AUTO_UPGRADE'] as const)('takes WORKER_DEFAULT_VERSIONING_BEHAVIOR=%s', (behavior) => {
      expect(loadWorkerConfig({ ...versioned, WORKER_DEFAULT_VERSIONING_BEHAVIOR: behavior }).workerDeploymentOptions?.defaultVersioningBehavior).toBe(behavior);
    });

    it.each([
      [{ WORKER_DEPLOYMENT_NAME: 'stepless' }, /WORKER_BUILD_ID is not set but WORKER_DEPLOYMENT_NAME is: Worker Versioning needs both/],
      [{ WORKER_BUILD_ID: 'git-3f2a9c1' }, /WORKER_DEPLOYMENT_NAME is not set but WORKER_BUILD_ID is: Worker Versioning needs both/],
      [{ WORKER_DEPLOYMENT_NAME: 'stepless', WORKER_BUILD_ID: '' }, /WORKER_BUILD_ID is not set but WORKER_DEPLOYMENT_NAME is/],
      [{ WORKER_DEFAULT_VERSIONING_BEHAVIOR: 'PINNED' }, /WORKER_DEFAULT_VERSIONING_BEHAVIOR is set \("PINNED"\) but Worker Versioning is off/],
      [{ ...versioned, WORKER_DEFAULT_VERSIONING_BEHAVIOR: 'pinned' }, /WORKER_DEFAULT_VERSIONING_BEHAVIOR must be PINNED or AUTO_UPGRADE, got "pinned"/],
      [{ ...versioned, WORKER_DEPLOYMENT_NAME: 'stepless.prod' }, /WORKER_DEPLOYMENT_NAME must not contain '\.' or ':'/],
      [{ ...versioned, WORKER_DEPLOYMENT_NAME: 'stepless:prod' }, /WORKER_DEPLOYMENT_NAME must not contain '\.' or ':'/],
      [{ ...versioned, WORKER_BUILD_ID: '__unversioned__' }, /WORKER_BUILD_ID must not start with '__'/],
    ])('rejects %j with an error naming the variable and the rule', (env, message) => {
      expect(() => loadWorkerConfig({ STEPLESS_FUNCTIONS: functions, ...env })).toThrow(message);
    });
  });
});

describe('worker tuning', () => {
  it('passes slots and poller counts to Worker.create, and keeps a Lambda socket per step slot', () => {
    const tuning = { maxConcurrentActivityTaskExecutions: 30, maxConcurrentLocalActivityExecutions: 20, maxConcurrentWorkflowTaskExecutions: 8, activityTaskPollers: 3, workflowTaskPollers: 4 };
    expect(workerTuningOptions(tuning)).toEqual({
      maxConcurrentActivityTaskExecutions: 30,
      maxConcurrentLocalActivityExecutions: 20,
      maxConcurrentWorkflowTaskExecutions: 8,
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 3 },
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 },
    });
    expect(lambdaSocketsFor(tuning)).toBe(50);
    // The defaults leave more step slots than the AWS SDK's 50 default sockets: the worker raises them.
    expect(lambdaSocketsFor(DEFAULT_WORKER_TUNING)).toBe(200);
  });
});

import { loadWorkerConfig } from '../../worker/config';

const functions = JSON.stringify({ textStats: 'fn-1' });
const load = (env: NodeJS.ProcessEnv) => loadWorkerConfig({ STEPLESS_FUNCTIONS: functions, ...env });

describe('worker metrics and health-check configuration', () => {
  it('publishes metrics every minute and runs no health server by default (empty values count as unset)', () => {
    expect(load({})).toMatchObject({ metrics: { enabled: true, intervalMs: 60000 } });
    expect(load({})).not.toHaveProperty('healthPort');
    expect(load({ WORKER_METRICS: '', WORKER_METRICS_INTERVAL_MS: '', WORKER_HEALTH_PORT: '' })).toMatchObject({ metrics: { enabled: true, intervalMs: 60000 } });
  });

  it.each([
    [{ WORKER_METRICS: 'off' }, { metrics: { enabled: false, intervalMs: 60000 } }],
    [{ WORKER_METRICS: 'OFF' }, { metrics: { enabled: false, intervalMs: 60000 } }],
    [{ WORKER_METRICS: 'on', WORKER_METRICS_INTERVAL_MS: '1000' }, { metrics: { enabled: true, intervalMs: 1000 } }],
    [{ WORKER_HEALTH_PORT: '8080' }, { healthPort: 8080 }],
    [{ WORKER_HEALTH_PORT: '65535' }, { healthPort: 65535 }],
  ])('takes %j', (env, expected) => {
    expect(load(env)).toMatchObject(expected);
  });

  it.each([
    [{ WORKER_METRICS: 'yes' }, /WORKER_METRICS must be "on" or "off".*got "yes"/],
    [{ WORKER_METRICS: 'false' }, /WORKER_METRICS must be "on" or "off"/],
    [{ WORKER_METRICS_INTERVAL_MS: '999' }, /WORKER_METRICS_INTERVAL_MS must be a whole number of milliseconds ≥ 1000.*got "999"/],
    [{ WORKER_METRICS_INTERVAL_MS: '1500.5' }, /WORKER_METRICS_INTERVAL_MS must be a whole number/],
    [{ WORKER_METRICS_INTERVAL_MS: '1e4' }, /WORKER_METRICS_INTERVAL_MS must be a whole number/],
    [{ WORKER_METRICS_INTERVAL_MS: '60s' }, /WORKER_METRICS_INTERVAL_MS must be a whole number/],
    [{ WORKER_METRICS_INTERVAL_MS: '3000000000' }, /WORKER_METRICS_INTERVAL_MS .* below 2\^31/],
    [{ WORKER_HEALTH_PORT: '0' }, /WORKER_HEALTH_PORT must be a TCP port number \(1-65535\).*got "0"/],
    [{ WORKER_HEALTH_PORT: '65536' }, /WORKER_HEALTH_PORT must be a TCP port number/],
    [{ WORKER_HEALTH_PORT: 'http' }, /WORKER_HEALTH_PORT must be a TCP port number/],
    [{ WORKER_HEALTH_PORT: '80.5' }, /WORKER_HEALTH_PORT must be a TCP port number/],
  ])('rejects %j with an error naming the variable and the rule', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });
});

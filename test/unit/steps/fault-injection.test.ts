import { faultFor, parseFaults } from '../../../runtime/steps/fault-injection';
import type { InvocationMeta } from '../../../runtime/lambda/envelope';
import { parseDrillArgs } from '../../../scripts/drill';

const meta = (attempt: number, workflowId = 'drill1-order-3'): InvocationMeta => ({ workflowId, runId: 'r', activityId: '4', attempt, idempotencyKey: `${workflowId}/r/4`, step: 'chargePayment' });

describe('fault injection (STEPLESS_FAULTS)', () => {
  const raw = JSON.stringify([
    { step: 'chargePayment', kind: 'crash-after', workflowIdPrefix: 'drill1-order-' },
    { step: 'reserveStock', kind: 'timeout', attempts: [1, 2] },
  ]);

  it('hits the named step, phase, attempt and workflows only', () => {
    expect(faultFor(raw, meta(1), 'chargePayment', 'after')?.kind).toBe('crash-after');
    expect(faultFor(raw, meta(1), 'chargePayment', 'before')).toBeUndefined();
    expect(faultFor(raw, meta(2), 'chargePayment', 'after')).toBeUndefined();
    expect(faultFor(raw, meta(1, 'other-order-3'), 'chargePayment', 'after')).toBeUndefined();
    expect(faultFor(raw, meta(2), 'reserveStock', 'before')?.kind).toBe('timeout');
    expect(faultFor(raw, meta(3), 'reserveStock', 'before')).toBeUndefined();
  });

  it('does nothing without the variable', () => {
    expect(faultFor(undefined, meta(1), 'chargePayment', 'after')).toBeUndefined();
    expect(faultFor('', meta(1), 'chargePayment', 'after')).toBeUndefined();
  });

  it('names the variable and the rule for a malformed value', () => {
    expect(() => parseFaults('{')).toThrow('STEPLESS_FAULTS must be a JSON array of faults');
    expect(() => parseFaults('[{"step":"x","kind":"explode"}]')).toThrow('STEPLESS_FAULTS[0].kind must be one of crash, crash-after, timeout, service-error');
    expect(() => parseFaults('[{"kind":"crash"}]')).toThrow('STEPLESS_FAULTS[0].step must be a step name');
    expect(() => parseFaults('[{"step":"x","kind":"crash","attempts":[0]}]')).toThrow('STEPLESS_FAULTS[0].attempts must be an array of attempt numbers');
  });
});

describe('npm run drill arguments', () => {
  it('has defaults and takes counts', () => {
    expect(parseDrillArgs([])).toMatchObject({ orders: 20, kills: 3, lambdaFaults: true, temporalRestart: true, memoryLimitBytes: 6 * 1024 ** 3 });
    expect(parseDrillArgs(['--orders', '300', '--kills', '0', '--no-lambda-faults', '--time-limit', '900'])).toMatchObject({ orders: 300, kills: 0, lambdaFaults: false, timeLimitMs: 900_000 });
  });

  it('names the argument and the rule', () => {
    expect(() => parseDrillArgs(['--orders', 'many'])).toThrow('--orders must be a whole number ≥ 0, got "many"');
    expect(() => parseDrillArgs(['--time-limit', '5'])).toThrow('--time-limit must be at least 30 seconds');
    expect(() => parseDrillArgs(['--bogus'])).toThrow('unknown argument "--bogus"');
    expect(() => parseDrillArgs(['--memory-limit-gb', '0'])).toThrow('--memory-limit-gb must be a positive number, got "0"');
  });
});

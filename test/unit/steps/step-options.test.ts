import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../../runtime/steps/declare';
import { step, type StepOptions } from '../../../runtime/steps/workflow';

/** step()'s options, checked when the workflow module builds its calls (before any workflow runs). */
const fn = declareFunction({
  name: 'fn',
  description: 'd',
  folder: 'fn',
  memoryMb: 256,
  timeoutSeconds: 10,
  steps: {
    quick: defineStep({ name: 'doQuick', description: 'd', input: z.object({}), output: returns<null>(), errors: {} }),
    long: defineStep({ name: 'doLong', description: 'd', input: z.object({}), output: returns<null>(), errors: {}, mode: 'async' }),
  },
});

describe('step() options', () => {
  it('takes local: true with the options a local activity has', () => {
    expect(typeof step(fn.steps.quick, { local: true, startToCloseTimeout: '10 seconds', localRetryThreshold: '5 seconds', retry: { maximumAttempts: 3 } })).toBe('function');
    expect(typeof step(fn.steps.quick, { local: false, startToCloseTimeout: '10 seconds', heartbeatTimeout: '5 seconds' })).toBe('function');
  });

  it('refuses a local async step, naming the step', () => {
    expect(() => step(fn.steps.long, { local: true, startToCloseTimeout: '10 seconds' })).toThrow(
      'step doLong: local must not be true for an async-mode step: a local activity cannot be completed by the function through Temporal',
    );
  });

  it('refuses activity-only options on a local step, naming each one', () => {
    // Built as the untyped object a JavaScript caller or a spread of shared options could pass.
    const options = { local: true, startToCloseTimeout: '10 seconds', heartbeatTimeout: '5 seconds', taskQueue: 'other' } as unknown as StepOptions;
    expect(() => step(fn.steps.quick, options)).toThrow(
      'step doQuick: heartbeatTimeout, taskQueue cannot be set on a local step (local: true); a local activity takes only local, startToCloseTimeout, scheduleToCloseTimeout, scheduleToStartTimeout, localRetryThreshold, retry, cancellationType, summary',
    );
  });
});

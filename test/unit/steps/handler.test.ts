import type { Context as LambdaContext } from 'aws-lambda';
import { z } from 'zod';
import type { InvocationEnvelope } from '../../../runtime/lambda/envelope';
import { declareFunction, defineStep, returns } from '../../../runtime/steps/declare';
import { functionHandler } from '../../../runtime/steps/handler';
import { thrownBy } from '../../support/thrown';

/** A two-step function, as a user would declare one. */
const ledger = declareFunction({
  name: 'ledger',
  description: 'A test ledger',
  folder: 'ledger',
  memoryMb: 128,
  timeoutSeconds: 5,
  invalidInputError: 'InvalidLedgerRequest',
  steps: {
    credit: defineStep({
      name: 'creditAccount',
      description: 'Credits an account',
      input: z.object({ account: z.string(), cents: z.number().int().positive() }),
      output: returns<{ balance: number }>(),
      legacyOp: 'credit',
      errors: { AccountClosed: 'nonRetryable', InvalidLedgerRequest: 'nonRetryable', LedgerBusy: 'retryable' },
    }),
    close: defineStep({
      name: 'closeAccount',
      description: 'Closes an account',
      input: z.object({ account: z.string() }),
      output: returns<{ closed: true }>(),
      legacyOp: 'close',
      errors: {},
    }),
  },
});

class AccountClosed extends Error {
  override name = 'AccountClosed';
}
class LedgerBusy extends Error {
  override name = 'LedgerBusy';
}

const context = { awsRequestId: 'req-1' } as LambdaContext;
const meta = (step?: string) => ({ workflowId: 'wf', runId: 'run', activityId: '1', attempt: 1, idempotencyKey: 'wf/run/1', ...(step ? { step } : {}) });
const envelope = (input: unknown, step?: string): InvocationEnvelope<unknown> => ({ input, meta: meta(step) });

describe('functionHandler: a declared function on Lambda', () => {
  const balances = new Map<string, number>();
  const closed = new Set<string>();
  const seen: unknown[] = [];
  const handler = functionHandler(ledger, {
    credit(input, { step }) {
      seen.push({ step: step.name, input });
      if (closed.has(input.account)) return Promise.reject(new AccountClosed(`${input.account} is closed`));
      if (input.account === 'busy') return Promise.reject(new LedgerBusy('try again'));
      if (input.account === 'odd') return Promise.reject(Object.assign(new Error('surprise'), { name: 'Surprise', nonRetryable: true }));
      const balance = (balances.get(input.account) ?? 0) + input.cents;
      balances.set(input.account, balance);
      return Promise.resolve({ balance });
    },
    close(input) {
      closed.add(input.account);
      return Promise.resolve({ closed: true as const });
    },
  });
  // Powertools' Logger and Metrics write JSON lines to stdout (warnings and errors to stderr).
  let written: string[];
  beforeEach(() => {
    seen.length = 0;
    written = [];
    for (const stream of [process.stdout, process.stderr]) {
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(...String(chunk).split('\n').filter(Boolean));
        return true;
      });
    }
  });
  const lines = () => written.map((line) => JSON.parse(line) as Record<string, unknown>);
  afterEach(() => jest.restoreAllMocks());

  it('runs the step the envelope names, with its parsed input', async () => {
    await expect(handler(envelope({ account: 'a', cents: 5 }, 'creditAccount'), context)).resolves.toEqual({ balance: 5 });
    expect(seen).toEqual([{ step: 'creditAccount', input: { account: 'a', cents: 5 } }]);
  });

  it('dispatches calls from the generic activity by their legacy op, and drops the op from the input', async () => {
    await expect(handler(envelope({ op: 'credit', account: 'b', cents: 7 }), context)).resolves.toEqual({ balance: 7 });
    expect(seen).toEqual([{ step: 'creditAccount', input: { account: 'b', cents: 7 } }]);
  });

  it('refuses an unknown step as a non-retryable InvalidInvocation naming the steps it has', async () => {
    const err = await thrownBy(() => handler(envelope({ account: 'a' }, 'debitAccount'), context));
    expect(err.name).toBe('NonRetryable:InvalidInvocation');
    expect(err.message).toContain('function ledger has no step "debitAccount"; its steps: creditAccount, closeAccount');
  });

  it('fails input that does not parse with the declared error, naming the field and the rule, never retried', async () => {
    const err = await thrownBy(() => handler(envelope({ account: 'a', cents: -1 }, 'creditAccount'), context));
    expect(err.name).toBe('NonRetryable:InvalidLedgerRequest');
    expect(err.message).toMatch(/^creditAccount: invalid input: cents: .*>0/);
  });

  it('sends an error the step declares non-retryable as non-retryable, though the code did not mark it', async () => {
    await handler(envelope({ account: 'c' }, 'closeAccount'), context);
    const err = await thrownBy(() => handler(envelope({ account: 'c', cents: 1 }, 'creditAccount'), context));
    expect(err.name).toBe('NonRetryable:AccountClosed');
    expect(err.message).toBe('c is closed');
  });

  it('keeps a declared retryable error retryable', async () => {
    const err = await thrownBy(() => handler(envelope({ account: 'busy', cents: 1 }, 'creditAccount'), context));
    expect(err.name).toBe('LedgerBusy');
  });

  it('logs an error the declaration does not list, with the workflow ids and the step (Powertools Logger)', async () => {
    await thrownBy(() => handler(envelope({ account: 'odd', cents: 1 }, 'creditAccount'), context));
    expect(lines()).toContainEqual(expect.objectContaining({
      level: 'WARN',
      message: 'step failed with an error its declaration does not list',
      error: 'Surprise',
      reason: 'surprise',
      service: 'ledger',
      correlation_id: 'wf',
      workflowId: 'wf',
      runId: 'run',
      step: 'creditAccount',
      function_request_id: 'req-1',
    }));
  });

  it("emits each step's duration and outcome as CloudWatch embedded metrics, by function and step", async () => {
    await handler(envelope({ account: 'm', cents: 1 }, 'creditAccount'), context);
    await thrownBy(() => handler(envelope({ account: 'busy', cents: 1 }, 'creditAccount'), context));
    const emf = lines().filter((line) => '_aws' in line);
    expect(emf).toHaveLength(2);
    const directive = (emf[0]!._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> }).CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('Stepless');
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'step']));
    expect(directive.Metrics.map((m) => `${m.Name}:${m.Unit}`).sort()).toEqual(['StepDuration:Milliseconds', 'StepSucceeded:Count']);
    expect(emf[0]).toMatchObject({ service: 'ledger', step: 'creditAccount', StepSucceeded: 1, StepDuration: expect.any(Number) });
    expect(emf[1]).toMatchObject({ service: 'ledger', step: 'creditAccount', StepFailed: 1 });
  });
});

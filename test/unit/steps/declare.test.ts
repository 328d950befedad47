import { z } from 'zod';
import { FUNCTIONS } from '../../../lambdas/catalog';
import { createStepActivities } from '../../../runtime/lambda/activity';
import { declareFunction, defineStep, nonRetryableErrorsOf, returns, stepsByName } from '../../../runtime/steps/declare';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';

const base = { name: 'fn', description: 'd', folder: 'fn', memoryMb: 256, timeoutSeconds: 10 };
const someStep = (name: string) => defineStep({ name, description: 'd', input: z.object({}), output: returns<null>(), errors: {} });

describe('step declarations', () => {
  it('names every broken rule of a declaration at once', () => {
    expect(() =>
      declareFunction({ ...base, name: 'Bad-Name', memoryMb: 64, timeoutSeconds: 901, reservedConcurrency: 0, steps: { a: defineStep({ ...someStep('x'), errors: { 'not an error': 'nonRetryable' } }) } }),
    ).toThrow(
      'function declaration Bad-Name: name "Bad-Name" must be camelCase letters and digits (2-64), starting with a lower-case letter; memoryMb 64 must be a whole number from 128 to 10240; timeoutSeconds 901 must be a whole number from 1 to 900; reservedConcurrency 0 must be a whole number of at least 1; steps.a.name "x" must be camelCase letters and digits (2-64), starting with a lower-case letter; steps.a.errors: "not an error" must be an error name in PascalCase',
    );
    expect(() => declareFunction({ ...base, steps: {} })).toThrow('steps must declare at least one step');
  });

  it('gives each step its function and mode', () => {
    const fn = declareFunction({ ...base, steps: { a: someStep('doThing'), b: { ...someStep('doOther'), mode: 'async' as const } } });
    expect(fn.steps.a).toMatchObject({ name: 'doThing', functionName: 'fn', mode: 'sync' });
    expect(fn.steps.b).toMatchObject({ name: 'doOther', functionName: 'fn', mode: 'async' });
  });

  it('refuses two steps of the same name, naming both functions', () => {
    const one = declareFunction({ ...base, name: 'one', steps: { a: someStep('doThing') } });
    const two = declareFunction({ ...base, name: 'two', steps: { a: someStep('doThing') } });
    expect(() => stepsByName([one, two])).toThrow('step name "doThing" is declared twice: by function one and by function two');
  });

  it('the project catalog: unique step names, a handler for every function, and the order saga named by its steps', () => {
    const steps = stepsByName(FUNCTIONS);
    for (const fn of FUNCTIONS) expect(existsSync(join(__dirname, '..', '..', '..', 'lambdas', fn.folder, 'handler.ts'))).toBe(true);
    for (const name of ['reserveStock', 'validateAddress', 'chargePayment', 'createShipment', 'releaseStock', 'refundPayment', 'cancelShipment']) {
      expect(steps.get(name)?.functionName).toMatch(/^order/);
    }
    // The drift that declarations end: the shipping store throws ShipmentCancelled, never retried.
    expect(nonRetryableErrorsOf(steps.get('createShipment')!)).toContain('ShipmentCancelled');
  });

  it('the worker refuses to start when a declared step has no deployed function, naming the step', () => {
    const config = { lambda: new LambdaClient({}), functions: { orderPayment: 'Stepless-local-Payment' } };
    const shipping = FUNCTIONS.find((fn) => fn.name === 'orderShipping')!;
    const payment = FUNCTIONS.find((fn) => fn.name === 'orderPayment')!;
    expect(() => createStepActivities(config, Object.values(shipping.steps))).toThrow(
      /^no deployed Lambda function for the declared step\(s\) validateAddress \(function orderShipping\), createShipment \(function orderShipping\), cancelShipment \(function orderShipping\); the worker's function map .* has: orderPayment/,
    );
    const activities = createStepActivities(config, Object.values(payment.steps));
    expect(Object.keys(activities).sort()).toEqual(['chargePayment', 'invokeFunction', 'invokeFunctionRaw', 'refundPayment', 'startFunction']);
  });
});

import { orderInputProblem, settleOrder } from '../../../workflows/orders/defaults';
import { analysisInputProblem, settleAnalysis } from '../../../workflows/analysis/defaults';
import { settleRequest, trainingRequestProblem } from '../../../workflows/training/defaults';
import { duration, fieldProblem, positiveInteger, withDefaults } from '../../../workflows/lib/input';

describe('input rules and defaults (workflows/lib/input.ts)', () => {
  it('names the first field that breaks its rule, skips absent optional fields', () => {
    const rules = { count: positiveInteger, wait: duration() };
    expect(fieldProblem({ count: 2, wait: '1 h' }, rules)).toBeUndefined();
    expect(fieldProblem({}, rules)).toBeUndefined();
    expect(fieldProblem({ count: 0, wait: 'soon' }, rules)).toBe('count must be a positive integer');
    expect(fieldProblem({ count: 1, wait: '500 ms' }, rules)).toBe('wait must be between 1 second and 366 days');
  });

  it('fills in only the fields left out: a 0 or false given stays', () => {
    expect(withDefaults({ a: 0, b: undefined as number | undefined, c: false }, { a: 5, b: 7, c: true })).toEqual({ a: 0, b: 7, c: false });
  });

  it('each workflow settles and checks its input with them', () => {
    const order = { orderId: 'o', customer: { name: 'n', email: 'e' }, items: [{ sku: 'a', quantity: 1, unitPrice: 1 }], payment: { cardNumber: '4242424242424242' }, shippingAddress: {} } as never;
    expect(settleOrder(order)).toMatchObject({ approvalThreshold: 5000, approvalTimeout: '24 hours', deliveryWindow: '7 days', currency: 'USD' });
    expect(orderInputProblem(order)).toBeUndefined();
    expect(orderInputProblem({ ...(order as object), deliveryWindow: '2 fortnights' } as never)).toMatch(/^deliveryWindow must be a duration/);

    const training = { trainingId: 't', modelId: 'm', dataset: {}, epochs: 2, checkpointEvery: 1, hyperparameters: { learningRate: 0.1, batchSize: 8 } };
    expect(settleRequest(training)).toMatchObject({ hiddenUnits: 16, reviewTimeout: '24h', reviewTimeoutAction: 'continue', maxEpochsPerRun: 100 });
    expect(trainingRequestProblem(training)).toBeUndefined();
    expect(trainingRequestProblem({ ...training, reviewTimeout: '1.5h' })).toBeUndefined();
    expect(trainingRequestProblem({ ...training, reviewTimeout: '0s' })).toBe('reviewTimeout must be longer than 0 and at most 100 years');
    expect(trainingRequestProblem({ ...training, epochs: 1.5 })).toBe('epochs must be a positive integer');

    const analysis = { analysisId: 'a', snapshot: { prefix: 'p/' }, budget: 1 };
    expect(settleAnalysis(analysis)).toMatchObject({ parallelism: 4, batchSize: 3, refactor: true, budgetGate: true, requirePlanApproval: false });
    expect(analysisInputProblem(analysis)).toBeUndefined();
    expect(analysisInputProblem({ ...analysis, parallelism: 0 })).toBe('parallelism must be a positive integer');
    expect(analysisInputProblem({ ...analysis, budget: -1 })).toBe('budget must be a non-negative number');
  });
});

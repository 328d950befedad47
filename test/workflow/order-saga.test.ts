import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { setTimeout as sleep } from 'node:timers/promises';
import { approvalSignal, approvalUpdate, orderStateQuery } from '../../workflows/orders/messages';
import type { OrderInput, OrderState } from '../../workflows/orders/types';
import { FakeServices } from '../unit/orders/fake-services';
import { createTimeSkippingEnv } from '../support/time-skipping';
import type { orderProcessing } from './fixtures/order-workflows';

/**
 * The order saga on Temporal's time-skipping test server: every timer path (the 24 h approval
 * timeout, the 7-day delivery window, cancellation during each wait), approvals by update and by
 * signal, duplicates and validator rejections, and each failure's compensation, newest first.
 * The services are in-process fakes with the real contracts (test/unit/orders/fake-services.ts);
 * test/integration/orders-e2e.test.ts runs the same paths against the real functions.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
}, 300_000);

afterAll(async () => {
  await env?.teardown();
});

function order(overrides: Partial<OrderInput> = {}): OrderInput {
  const orderId = overrides.orderId ?? `o-${randomUUID()}`;
  return {
    orderId,
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    items: [{ sku: 'widget', quantity: 2, unitPrice: 12.5 }],
    payment: { cardNumber: '4242424242424242' },
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    ...overrides,
  };
}

/** A large order: 2 × 3000 = 6000 > the default 5000 threshold. */
const large = (overrides: Partial<OrderInput> = {}) => order({ items: [{ sku: 'gadget', quantity: 2, unitPrice: 3000 }], ...overrides });

async function withWorker<T>(fakes: FakeServices, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `orders-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./fixtures/order-workflows'),
    activities: fakes.activities(),
  });
  return worker.runUntil(fn(taskQueue));
}

async function start(taskQueue: string, input: OrderInput): Promise<WorkflowHandle<typeof orderProcessing>> {
  return env.client.workflow.start<typeof orderProcessing>('orderProcessing', { taskQueue, workflowId: `order-${input.orderId}`, args: [input] });
}

async function stateOf(handle: WorkflowHandle): Promise<OrderState> {
  return handle.query(orderStateQuery);
}

async function waitForState(handle: WorkflowHandle, wanted: OrderState['state']): Promise<OrderState> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = await stateOf(handle);
    if (s.state === wanted) return s;
    if (Date.now() > deadline) throw new Error(`order never reached ${wanted}; it is ${s.state}`);
    await sleep(50);
  }
}

/**
 * Waits until the order sits in its approval wait with no activity in flight (the
 * 'order.decision-requested' audit event is recorded after the state changes). A cancellation that
 * races that activity's completion makes the Java time-skipping server refuse the cancel command
 * (ACTIVITY_UNKNOWN) and the workflow task retry until the test times out; a real server does not.
 */
async function waitForApprovalWait(handle: WorkflowHandle): Promise<void> {
  await waitForState(handle, 'AWAITING_APPROVAL');
  const deadline = Date.now() + 20_000;
  while ((await handle.describe()).raw.pendingActivities?.length) {
    if (Date.now() > deadline) throw new Error('an activity stayed in flight in the approval wait');
    await sleep(50);
  }
}

/** The failure a workflow ended with: its ApplicationFailure (type) or CancelledFailure. */
async function failureOf(handle: WorkflowHandle): Promise<Error> {
  try {
    await handle.result();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause!;
  }
  throw new Error('the workflow completed; expected a failure');
}

describe('order saga (time-skipping)', () => {
  it('happy path: reserves, charges, ships and completes after the default 7-day delivery window', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const input = order();
      const before = await env.currentTimeMs();
      const handle = await start(tq, input);
      const result = await handle.result();
      const elapsed = (await env.currentTimeMs()) - before;

      expect(result).toMatchObject({ orderId: input.orderId, state: 'COMPLETED', totalCents: 2500, total: '25.00', currency: 'USD', chargeId: 'ch_1' });
      expect(result.trackingNumber).toMatch(/^SP\d{11}$/);
      expect(elapsed).toBeGreaterThanOrEqual(7 * DAY);
      expect(fakes.ops()).toEqual(['inventory.reserve', 'shipping.validateAddress', 'payment.charge', 'shipping.create']);
      expect(fakes.stock.get('widget')).toBe(98);

      const s = await stateOf(handle);
      expect(s.state).toBe('COMPLETED');
      expect(s.approval.required).toBe(false);
      expect(s.steps.map((st) => [st.name, st.status])).toEqual([
        ['reserveInventory', 'COMPLETED'],
        ['validateAddress', 'COMPLETED'],
        ['chargePayment', 'COMPLETED'],
        ['createShipment', 'COMPLETED'],
      ]);
      expect(Date.parse(s.finishedAt!) - Date.parse(s.deliveryDueAt!)).toBeGreaterThanOrEqual(0);
      const window = Date.parse(s.deliveryDueAt!) - Date.parse(s.steps[3]!.finishedAt!);
      expect(window).toBeGreaterThanOrEqual(7 * DAY);
      expect(window).toBeLessThan(7 * DAY + 60_000);
      expect(s.compensations).toEqual([]);
      // One naming scheme (workflows/lib/audit.ts): the start and end, each step by its input and output digests.
      expect(fakes.audit.map((e) => e.type)).toEqual(['order.started', 'order.step-completed', 'order.step-completed', 'order.step-completed', 'order.step-completed', 'order.completed']);
      expect(fakes.audit.map((e) => e.step ?? null)).toEqual([null, 'reserveStock', 'validateAddress', 'chargePayment', 'createShipment', null]);
      expect(fakes.auditDigests).toEqual([['inputSha256'], ...Array(4).fill(['inputSha256', 'outputSha256']), ['outputSha256']]);
    });
  });

  it('approval timeout: waits the default 24 hours, then refunds and releases (newest first) and fails ApprovalTimedOut', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, large());
      const failure = await failureOf(handle);

      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect((failure as ApplicationFailure).type).toBe('ApprovalTimedOut');
      expect((failure as ApplicationFailure).nonRetryable).toBe(true);
      expect(fakes.ops()).toEqual(['inventory.reserve', 'shipping.validateAddress', 'payment.charge', 'payment.refund', 'inventory.release']);
      expect(fakes.stock.get('gadget')).toBe(100);

      const s = await stateOf(handle);
      // Workflow time: the wait lasted exactly the timeout before the compensations began.
      const waited = Date.parse(s.compensations[0]!.startedAt) - Date.parse(s.approval.requestedAt!);
      expect(waited).toBeGreaterThanOrEqual(24 * HOUR);
      expect(waited).toBeLessThan(24 * HOUR + 60_000);
      expect(Date.parse(s.approval.deadline!) - Date.parse(s.approval.requestedAt!)).toBe(24 * HOUR);
      expect(s.state).toBe('FAILED');
      expect(s.approval).toMatchObject({ required: true, threshold: 5000, timeout: '24 hours', timedOut: true });
      expect(s.failure?.type).toBe('ApprovalTimedOut');
      expect(s.compensations.map((c) => [c.name, c.status])).toEqual([
        ['refundPayment', 'COMPLETED'],
        ['releaseInventory', 'COMPLETED'],
      ]);
      expect((await handle.describe()).status.name).toBe('FAILED');
    });
  });

  it('a configured approval timeout and threshold apply', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, order({ approvalThreshold: 10, approvalTimeout: '90 minutes' }));
      const failure = await failureOf(handle);
      expect((failure as ApplicationFailure).type).toBe('ApprovalTimedOut');
      const s = await stateOf(handle);
      expect(s.approval).toMatchObject({ required: true, threshold: 10, timeout: '90 minutes', timedOut: true });
      const waited = Date.parse(s.compensations[0]!.startedAt) - Date.parse(s.approval.requestedAt!);
      expect(waited).toBeGreaterThanOrEqual(90 * 60_000);
      expect(waited).toBeLessThan(91 * 60_000);
    });
  });

  it('approval by update: answers synchronously, a repeat says duplicate, others are rejected by the validator; then ships and completes', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, large({ deliveryWindow: '3 days' }));
      await waitForState(handle, 'AWAITING_APPROVAL');

      // The validator: missing approvedBy.
      await expect(handle.executeUpdate(approvalUpdate, { args: [{ approved: true, approvedBy: ' ', requestId: 'r0' }] })).rejects.toThrow(WorkflowUpdateFailedError);

      const first = await handle.executeUpdate(approvalUpdate, { args: [{ approved: true, approvedBy: 'grace', reason: 'known customer', requestId: 'r1' }] });
      expect(first).toMatchObject({ approved: true, approvedBy: 'grace', state: 'APPROVED', duplicate: false, requestId: 'r1' });

      const repeat = await handle.executeUpdate(approvalUpdate, { args: [{ approved: true, approvedBy: 'grace', reason: 'known customer', requestId: 'r1' }] });
      expect(repeat).toMatchObject({ approved: true, duplicate: true, requestId: 'r1', decidedAt: first.decidedAt });

      // A different request once decided: rejected, with the reason.
      const err = await handle.executeUpdate(approvalUpdate, { args: [{ approved: false, approvedBy: 'mallory', requestId: 'r2' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(/already approved by grace|not awaiting approval/);

      const result = await handle.result();
      expect(result).toMatchObject({ state: 'COMPLETED', approval: { approved: true, approvedBy: 'grace', via: 'update', requestId: 'r1' } });
      expect(fakes.ops()).toEqual(['inventory.reserve', 'shipping.validateAddress', 'payment.charge', 'shipping.create']);
      const s = await stateOf(handle);
      expect(s.approval.decision).toMatchObject({ approvedBy: 'grace', reason: 'known customer' });
      expect(fakes.audit.find((e) => e.type === 'order.decision-taken')).toMatchObject({ gate: 'approval', approved: true, approvedBy: 'grace' });

      // After completion the update is rejected, even a repeat's twin with a new id.
      await expect(handle.executeUpdate(approvalUpdate, { args: [{ approved: true, approvedBy: 'grace', requestId: 'r3' }] })).rejects.toThrow();
    });
  });

  it('approval by signal: the same decision without an answer; an invalid signal is recorded and ignored', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, large());
      await waitForState(handle, 'AWAITING_APPROVAL');
      await handle.signal(approvalSignal, { approved: true, approvedBy: '', requestId: 's0' });
      await handle.signal(approvalSignal, { approved: true, approvedBy: 'linus', requestId: 's1' });
      const result = await handle.result();
      expect(result.approval).toMatchObject({ approved: true, approvedBy: 'linus', via: 'signal', requestId: 's1' });
      const s = await stateOf(handle);
      expect(s.ignoredSignals).toEqual([expect.objectContaining({ requestId: 's0', reason: expect.stringContaining('approvedBy is required') })]);
    });
  });

  it('the validator rejects an approval when the order is not awaiting one (small order in delivery)', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, order());
      await waitForState(handle, 'IN_DELIVERY');
      const err = await handle.executeUpdate(approvalUpdate, { args: [{ approved: true, approvedBy: 'grace', requestId: 'x1' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((err as WorkflowUpdateFailedError).cause?.message).toContain('is not awaiting approval (state IN_DELIVERY)');
      expect((await stateOf(handle)).approval.decision).toBeUndefined();
      await handle.result();
    });
  });

  it('rejection compensates (refund, then release) and fails OrderRejected', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, large());
      await waitForState(handle, 'AWAITING_APPROVAL');
      const answer = await handle.executeUpdate(approvalUpdate, { args: [{ approved: false, approvedBy: 'grace', reason: 'fraud suspected', requestId: 'no-1' }] });
      expect(answer).toMatchObject({ approved: false, state: 'REJECTED', duplicate: false });
      const failure = (await failureOf(handle)) as ApplicationFailure;
      expect(failure.type).toBe('OrderRejected');
      expect(failure.message).toContain('fraud suspected');
      expect(fakes.ops()).toEqual(['inventory.reserve', 'shipping.validateAddress', 'payment.charge', 'payment.refund', 'inventory.release']);
      expect(fakes.payments.values().next().value?.status).toBe('REFUNDED');
    });
  });

  it('cancel during the approval wait: interrupts it, compensates, ends CANCELLED', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, large());
      await waitForApprovalWait(handle);
      await handle.cancel();
      const failure = await failureOf(handle);
      expect(failure).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      expect(fakes.ops()).toEqual(['inventory.reserve', 'shipping.validateAddress', 'payment.charge', 'payment.refund', 'inventory.release']);
      const s = await stateOf(handle);
      expect(s.state).toBe('CANCELLED');
      expect(s.compensations.every((c) => c.status === 'COMPLETED')).toBe(true);
      expect(fakes.audit.map((e) => e.type).slice(-2)).toEqual(['order.compensation-started', 'order.cancelled']);
    });
  });

  it('cancel during the delivery window: cancels the shipment, refunds, releases (newest first), ends CANCELLED', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, order());
      await waitForState(handle, 'IN_DELIVERY');
      await handle.cancel();
      expect(await failureOf(handle)).toBeInstanceOf(CancelledFailure);
      expect(fakes.ops()).toEqual(['inventory.reserve', 'shipping.validateAddress', 'payment.charge', 'shipping.create', 'shipping.cancel', 'payment.refund', 'inventory.release']);
      expect([...fakes.shipments.values()][0]?.status).toBe('CANCELLED');
      expect(fakes.stock.get('widget')).toBe(100);
      expect((await stateOf(handle)).compensations.map((c) => c.name)).toEqual(['cancelShipment', 'refundPayment', 'releaseInventory']);
    });
  });

  it('declined card: releases the inventory only and fails PaymentDeclined', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, order({ payment: { cardNumber: '4000000000000002' } }));
      const failure = (await failureOf(handle)) as ApplicationFailure;
      expect(failure.type).toBe('PaymentDeclined');
      expect(failure.nonRetryable).toBe(true);
      expect(fakes.ops()).toEqual(['inventory.reserve', 'shipping.validateAddress', 'payment.charge', 'inventory.release']);
      expect(fakes.stock.get('widget')).toBe(100);
      const s = await stateOf(handle);
      expect(s.steps.find((st) => st.name === 'chargePayment')).toMatchObject({ status: 'FAILED', error: { type: 'PaymentDeclined' } });
    });
  });

  it('insufficient funds is a decline too', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const failure = (await failureOf(await start(tq, order({ payment: { cardNumber: '4000000000009995' } })))) as ApplicationFailure;
      expect(failure.type).toBe('PaymentDeclined');
      expect(failure.message).toContain('insufficient_funds');
    });
  });

  it('short stock fails the reservation: nothing to compensate', async () => {
    const fakes = new FakeServices({ widget: 1 });
    await withWorker(fakes, async (tq) => {
      const failure = (await failureOf(await start(tq, order()))) as ApplicationFailure;
      expect(failure.type).toBe('InsufficientStock');
      expect(fakes.ops()).toEqual(['inventory.reserve']);
      expect(fakes.stock.get('widget')).toBe(1);
    });
  });

  it('an undeliverable address (patch validate-address-before-charge): fails AddressUndeliverable before any charge, releases the stock', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const input = order();
      input.shippingAddress.line1 = '1 Undeliverable Road';
      const handle = await start(tq, input);
      const failure = (await failureOf(handle)) as ApplicationFailure;
      expect(failure.type).toBe('AddressUndeliverable');
      expect(fakes.ops()).toEqual(['inventory.reserve', 'shipping.validateAddress', 'inventory.release']);
      expect(fakes.payments.size).toBe(0);
      const s = await stateOf(handle);
      expect(s.steps.map((st) => `${st.name}:${st.status}`)).toEqual(['reserveInventory:COMPLETED', 'validateAddress:FAILED']);
    });
  });

  it('compensations retry until they succeed (a service down for 3 attempts)', async () => {
    const fakes = new FakeServices();
    fakes.failCompensations = 3;
    await withWorker(fakes, async (tq) => {
      const handle = await start(tq, order({ payment: { cardNumber: '4000000000000002' } }));
      expect(((await failureOf(handle)) as ApplicationFailure).type).toBe('PaymentDeclined');
      expect(fakes.ops().filter((op) => op === 'inventory.release')).toHaveLength(4);
      expect(fakes.stock.get('widget')).toBe(100);
    });
  });

  it('an invalid order (bad duration) fails InvalidOrder at once, with no side effects', async () => {
    const fakes = new FakeServices();
    await withWorker(fakes, async (tq) => {
      const failure = (await failureOf(await start(tq, order({ deliveryWindow: 'soon' })))) as ApplicationFailure;
      expect(failure.type).toBe('InvalidOrder');
      expect(failure.message).toContain('deliveryWindow');
      expect(fakes.calls).toEqual([]);
    });
  });
});

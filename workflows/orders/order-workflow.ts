import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  sleep,
  TemporalFailure,
} from '@temporalio/workflow';
import { inventory } from '../../lambdas/inventory/steps';
import { payment } from '../../lambdas/payment/steps';
import { shipping } from '../../lambdas/shipping/steps';
import { auditLog } from '../../runtime/audit/workflow';
import { nonRetryableErrorsOf } from '../../runtime/steps/declare';
import { step } from '../../runtime/steps/workflow';
import { acceptDecisions } from '../lib/decisions';
import { Saga, type CompensationEvent } from '../lib/saga';
import { approvalSignal, approvalUpdate, orderStateQuery } from './definitions';
import { durationProblem, parseDuration } from './durations';
import {
  formatCents,
  ORDER_DEFAULTS,
  totalCentsOf,
  type ApprovalDecision,
  type ApprovalInput,
  type ApprovalResult,
  type OrderInput,
  type OrderResult,
  type OrderState,
  type OrderStatus,
  type StepRecord,
} from './types';

/** Business errors of the services: what their declarations say a retry cannot fix. */
const BUSINESS_ERRORS = [inventory, payment, shipping].flatMap((fn) => Object.values(fn.steps).flatMap(nonRetryableErrorsOf));

/** Forward steps: infrastructure errors retry with backoff, up to 10 attempts (a few minutes). */
const forward = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
} as const;

/** Compensations: retried until they succeed (no maximumAttempts = unlimited), backing off to 1 minute. */
const compensating = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

const reserveStock = step(inventory.steps.reserve, forward);
const validateAddress = step(shipping.steps.validateAddress, forward);
const chargePayment = step(payment.steps.charge, forward);
const createShipment = step(shipping.steps.create, forward);
const releaseStock = step(inventory.steps.release, compensating);
const refundPayment = step(payment.steps.refund, compensating);
const cancelShipment = step(shipping.steps.cancel, compensating);

/**
 * Version 2 of the saga checks the shipping address with the carrier before charging, so an
 * undeliverable address fails the order without ever charging the card (v1 charged, then refunded
 * when shipping failed). Workflows started before the change replay without the step; see
 * docs/workflows/order.md "Versioning".
 */
export const VALIDATE_ADDRESS_PATCH = 'validate-address-before-charge';

const audit = auditLog();

/** The failure an order ends with: typed, non-retryable, carrying the step's failure as its cause. */
function orderFailure(type: string, message: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, ...(cause ? { cause } : {}) });
}

/** The business type of a step's failure (the handler's error name), or undefined for infrastructure failures. */
function businessTypeOf(err: unknown): { type: string; message: string } | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type && BUSINESS_ERRORS.includes(err.cause.type)) {
    return { type: err.cause.type, message: err.cause.message };
  }
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return `${err.message}: ${err.cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The order saga: reserve inventory → charge → (above the threshold) wait for an approval → ship →
 * complete after the delivery window. Any failure, rejection, approval timeout or cancellation
 * unwinds what was done, newest first (cancel shipment → refund → release inventory), then ends
 * the workflow FAILED with a typed failure, or CANCELLED. See docs/workflows/order.md.
 */
export async function orderProcessing(input: OrderInput): Promise<OrderResult> {
  const now = () => new Date().toISOString();
  const totalCents = totalCentsOf(input.items ?? []);
  const approvalThreshold = input.approvalThreshold ?? ORDER_DEFAULTS.approvalThreshold;
  const approvalTimeout = input.approvalTimeout ?? ORDER_DEFAULTS.approvalTimeout;
  const deliveryWindow = input.deliveryWindow ?? ORDER_DEFAULTS.deliveryWindow;
  const currency = input.currency ?? ORDER_DEFAULTS.currency;

  const state: OrderState = {
    orderId: input.orderId,
    state: 'RECEIVED',
    customer: input.customer,
    items: input.items,
    totalCents,
    total: formatCents(totalCents),
    currency,
    approval: { required: totalCents > approvalThreshold * 100, threshold: approvalThreshold, timeout: approvalTimeout },
    deliveryWindow,
    steps: [],
    compensations: [],
    ignoredSignals: [],
    startedAt: now(),
    updatedAt: now(),
  };
  const setState = (next: OrderStatus) => {
    state.state = next;
    state.updatedAt = now();
  };

  // --- Queries, the approval update and its signal: registered before anything can wait. ---
  setHandler(orderStateQuery, () => state);

  acceptDecisions<ApprovalInput, ApprovalResult>({
    name: 'approval',
    update: approvalUpdate,
    signal: approvalSignal,
    problem: (decision) => {
      if (decision === null || typeof decision !== 'object') return 'the approval must be an object { approved, approvedBy, reason?, requestId }';
      if (typeof decision.requestId !== 'string' || decision.requestId.trim() === '') return 'requestId is required';
      if (typeof decision.approved !== 'boolean') return 'approved must be true or false';
      if (typeof decision.approvedBy !== 'string' || decision.approvedBy.trim() === '') return 'approvedBy is required: who approves or rejects the order';
      if (state.approval.decision) return `order ${input.orderId} was already ${state.approval.decision.approved ? 'approved' : 'rejected'} by ${state.approval.decision.approvedBy} (request ${state.approval.decision.requestId})`;
      if (state.state !== 'AWAITING_APPROVAL') return `order ${input.orderId} is not awaiting approval (state ${state.state})`;
      return undefined;
    },
    take: (decision, via) => {
      const recorded: ApprovalDecision = {
        approved: decision.approved,
        approvedBy: decision.approvedBy.trim(),
        ...(decision.reason ? { reason: decision.reason } : {}),
        requestId: decision.requestId,
        decidedAt: now(),
        via,
      };
      state.approval.decision = recorded;
      setState(decision.approved ? 'APPROVED' : 'REJECTED');
      log.info('approval decided', { orderId: input.orderId, approved: recorded.approved, approvedBy: recorded.approvedBy, via });
      return {
        orderId: input.orderId,
        requestId: decision.requestId,
        approved: recorded.approved,
        approvedBy: recorded.approvedBy,
        state: state.state,
        decidedAt: recorded.decidedAt,
        duplicate: false,
      };
    },
    onIgnoredSignal: (decision, reason) => {
      const requestId = (decision as { requestId?: unknown } | null)?.requestId;
      state.ignoredSignals.push({ at: now(), ...(typeof requestId === 'string' ? { requestId } : {}), reason });
    },
  });

  // --- Steps and their compensations. ---
  const saga = new Saga({
    onEvent: (event: CompensationEvent) => {
      const at = new Date(event.at).toISOString();
      if (event.type === 'started') state.compensations.push({ name: event.name, status: 'RUNNING', startedAt: at });
      const record = [...state.compensations].reverse().find((c) => c.name === event.name);
      if (!record) return;
      if (event.type === 'completed') Object.assign(record, { status: 'COMPLETED', finishedAt: at, outcome: event.result });
      if (event.type === 'failed') Object.assign(record, { status: 'FAILED', finishedAt: at, error: event.error });
      state.updatedAt = at;
    },
  });

  /**
   * Runs a forward step to its end even if the workflow is cancelled meanwhile: a Lambda call in
   * flight cannot be recalled, so its effect must be known (and compensated) before unwinding.
   * The cancellation then surfaces at the next cancellable await.
   */
  async function forwardStep<T>(name: string, status: OrderStatus, run: () => Promise<T>, summarise: (result: T) => Record<string, unknown>): Promise<T> {
    setState(status);
    const record: StepRecord = { name, status: 'RUNNING', startedAt: now() };
    state.steps.push(record);
    try {
      const result = await CancellationScope.nonCancellable(run);
      Object.assign(record, { status: 'COMPLETED', finishedAt: now(), outcome: summarise(result) });
      return result;
    } catch (err) {
      const business = businessTypeOf(err);
      Object.assign(record, { status: 'FAILED', finishedAt: now(), error: business ?? { type: 'OrderStepFailed', message: messageOf(err) } });
      throw err;
    }
  }

  const invalid = orderInputProblem(input);
  if (invalid) {
    state.failure = { type: 'InvalidOrder', message: invalid };
    setState('FAILED');
    state.finishedAt = now();
    throw orderFailure('InvalidOrder', `order ${input.orderId}: ${invalid}`);
  }
  const redacted = { ...input, payment: { cardLast4: input.payment.cardNumber.slice(-4) } };
  await audit.record('order.received', { workflowType: 'orderProcessing', orderId: input.orderId, totalCents, currency, approvalRequired: state.approval.required }, { digests: { inputSha256: redacted } });

  try {
    const reservation = await forwardStep('reserveInventory', 'RESERVING_INVENTORY', () => reserveStock({ orderId: input.orderId, items: input.items.map(({ sku, quantity }) => ({ sku, quantity })) }), (r) => ({ reservationId: r.reservationId, duplicate: r.duplicate }));
    saga.add('releaseInventory', () => releaseStock({ orderId: input.orderId }));
    state.reservation = { reservationId: reservation.reservationId };
    await audit.record('inventory.reserved', { orderId: input.orderId, reservationId: reservation.reservationId, items: reservation.items });

    if (patched(VALIDATE_ADDRESS_PATCH)) {
      const check = await forwardStep('validateAddress', 'VALIDATING_ADDRESS', () => validateAddress({ address: input.shippingAddress }), (r) => ({ ...r }));
      if (!check.deliverable) {
        const message = `order ${input.orderId}: ${check.reason ?? 'the address is not deliverable'}`;
        Object.assign(state.steps[state.steps.length - 1]!, { status: 'FAILED', error: { type: 'AddressUndeliverable', message } });
        throw orderFailure('AddressUndeliverable', message);
      }
      await audit.record('address.validated', { orderId: input.orderId, country: input.shippingAddress.country });
    }

    const charge = await forwardStep('chargePayment', 'CHARGING_PAYMENT', () => chargePayment({ orderId: input.orderId, amountCents: totalCents, currency, card: { number: input.payment.cardNumber, ...(input.payment.expiry ? { expiry: input.payment.expiry } : {}) } }), (c) => ({ chargeId: c.chargeId, amountCents: c.amountCents, duplicate: c.duplicate }));
    saga.add('refundPayment', () => refundPayment({ orderId: input.orderId, reason: `order ${input.orderId} compensated` }));
    state.payment = { chargeId: charge.chargeId, amountCents: charge.amountCents, cardLast4: charge.cardLast4 };
    await audit.record('payment.charged', { orderId: input.orderId, chargeId: charge.chargeId, amountCents: charge.amountCents, currency });

    if (state.approval.required) {
      const timeoutMs = parseDuration(approvalTimeout)!;
      state.approval.requestedAt = now();
      state.approval.deadline = new Date(Date.now() + timeoutMs).toISOString();
      setState('AWAITING_APPROVAL');
      await audit.record('approval.requested', { orderId: input.orderId, totalCents, threshold: approvalThreshold, deadline: state.approval.deadline });
      // Cancellable: a cancellation of the workflow interrupts the wait.
      const decided = await condition(() => state.approval.decision !== undefined, timeoutMs);
      if (!decided) {
        state.approval.timedOut = true;
        throw orderFailure('ApprovalTimedOut', `order ${input.orderId}: no approval within ${approvalTimeout}`);
      }
      const decision = state.approval.decision!;
      await audit.record('approval.decided', { orderId: input.orderId, approved: decision.approved, approvedBy: decision.approvedBy, reason: decision.reason ?? null, via: decision.via });
      if (!decision.approved) {
        throw orderFailure('OrderRejected', `order ${input.orderId} was rejected by ${decision.approvedBy}${decision.reason ? `: ${decision.reason}` : ''}`);
      }
    }

    const shipment = await forwardStep('createShipment', 'SHIPPING', () => createShipment({ orderId: input.orderId, address: input.shippingAddress, items: input.items.map(({ sku, quantity }) => ({ sku, quantity })) }), (s) => ({ trackingNumber: s.trackingNumber, carrier: s.carrier, duplicate: s.duplicate }));
    saga.add('cancelShipment', () => cancelShipment({ orderId: input.orderId, reason: `order ${input.orderId} compensated` }));
    state.shipment = { trackingNumber: shipment.trackingNumber, carrier: shipment.carrier };
    await audit.record('shipment.created', { orderId: input.orderId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier });

    const windowMs = parseDuration(deliveryWindow)!;
    state.deliveryDueAt = new Date(Date.now() + windowMs).toISOString();
    setState('IN_DELIVERY');
    // Cancellable too: cancelling during the delivery window unwinds the whole order.
    await sleep(windowMs);

    setState('COMPLETED');
    state.finishedAt = now();
    const result: OrderResult = {
      orderId: input.orderId,
      state: 'COMPLETED',
      totalCents,
      total: state.total,
      currency,
      chargeId: charge.chargeId,
      trackingNumber: shipment.trackingNumber,
      ...(state.approval.decision ? { approval: state.approval.decision } : {}),
      completedAt: state.finishedAt,
    };
    await audit.record('order.completed', { orderId: input.orderId, chargeId: charge.chargeId, trackingNumber: shipment.trackingNumber }, { checkpoint: true });
    log.info('order completed', { orderId: input.orderId, trackingNumber: shipment.trackingNumber });
    return result;
  } catch (err) {
    const cancelled = isCancellation(err);
    const business = businessTypeOf(err);
    const failure: TemporalFailure = cancelled
      ? (err as TemporalFailure)
      : err instanceof ApplicationFailure
        ? err
        : business
          ? orderFailure(business.type, `order ${input.orderId}: ${business.message}`, err as Error)
          : orderFailure('OrderStepFailed', `order ${input.orderId}: ${messageOf(err)}`, err instanceof Error ? err : undefined);
    state.failure = cancelled ? { type: 'Cancelled', message: 'the order was cancelled' } : { type: (failure as ApplicationFailure).type ?? 'OrderStepFailed', message: failure.message };
    log.warn('order unwinding', { orderId: input.orderId, reason: state.failure.type, compensations: saga.pending });
    setState('COMPENSATING');
    await CancellationScope.nonCancellable(async () => {
      await audit.record('order.compensating', { orderId: input.orderId, reason: state.failure!.type, compensations: saga.pending });
      try {
        await saga.compensate();
      } catch (compensationError) {
        setState('FAILED');
        state.finishedAt = now();
        state.failure = { type: 'CompensationFailed', message: (compensationError as Error).message };
        await audit.record('order.failed', { orderId: input.orderId, reason: 'CompensationFailed', message: (compensationError as Error).message }, { checkpoint: true });
        throw compensationError;
      }
      setState(cancelled ? 'CANCELLED' : 'FAILED');
      state.finishedAt = now();
      await audit.record(cancelled ? 'order.cancelled' : 'order.failed', { orderId: input.orderId, reason: state.failure!.type, message: state.failure!.message, compensations: state.compensations.map((c) => c.name) }, { checkpoint: true });
    });
    throw failure;
  }
}

/** Why an order's input cannot be processed (the API checks the same, with a 400), or undefined. */
export function orderInputProblem(input: OrderInput): string | undefined {
  if (!input || typeof input !== 'object') return 'the order must be an object';
  if (!Array.isArray(input.items) || input.items.length === 0) return 'items must be a non-empty array';
  for (const item of input.items) {
    if (!Number.isInteger(item.quantity) || item.quantity < 1) return `quantity of ${item.sku} must be a positive integer`;
    if (typeof item.unitPrice !== 'number' || !(item.unitPrice >= 0) || Math.abs(item.unitPrice * 100 - Math.round(item.unitPrice * 100)) > 1e-6) return `unitPrice of ${item.sku} must be a non-negative amount with at most 2 decimals`;
  }
  if (totalCentsOf(input.items) < 1) return 'the order total must be positive';
  if (typeof input.payment?.cardNumber !== 'string') return 'payment.cardNumber is required';
  if (input.approvalThreshold !== undefined && !(typeof input.approvalThreshold === 'number' && input.approvalThreshold >= 0)) return 'approvalThreshold must be a non-negative number';
  for (const field of ['approvalTimeout', 'deliveryWindow'] as const) {
    if (input[field] !== undefined) {
      const problem = durationProblem(input[field]);
      if (problem) return `${field} ${problem}`;
    }
  }
  return undefined;
}

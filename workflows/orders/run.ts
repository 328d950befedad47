import { ActivityFailure, ApplicationFailure, CancellationScope, condition, isCancellation, log, setHandler, sleep, type TemporalFailure } from '@temporalio/workflow';
import type { WorkflowAudit } from '../lib/audit';
import { acceptDecisions } from '../lib/decisions';
import { parseDuration } from '../lib/durations';
import { invalidInput } from '../lib/invalid-input';
import { Saga, type CompensationEvent } from '../lib/saga';
import { orderInputProblem, settleOrder, type SettledOrder } from './defaults';
import { approvalSignal, approvalUpdate, orderStateQuery } from './messages';
import { BUSINESS_ERRORS, cancelShipment, chargePayment, createShipment, refundPayment, releaseStock, reserveStock, validateAddress } from './steps';
import { formatCents, totalCentsOf, type ApprovalDecision, type ApprovalInput, type ApprovalResult, type OrderInput, type OrderResult, type OrderState, type OrderStatus, type StepRecord } from './types';

const now = (): string => new Date().toISOString();

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
 * One order's run: its state (what the query answers), its approval gate and its saga, and one
 * method per phase of the state diagram (workflow.ts runs them in order). Each forward phase
 * runs its step, registers the step's compensation, and audits the step by its input and output.
 */
export class OrderRun {
  readonly state: OrderState;
  private readonly order: SettledOrder;
  private readonly saga: Saga;

  constructor(
    private readonly input: OrderInput,
    private readonly audit: WorkflowAudit,
  ) {
    this.order = settleOrder(input);
    const totalCents = totalCentsOf(input.items ?? []);
    this.state = {
      orderId: input.orderId,
      state: 'RECEIVED',
      customer: input.customer,
      items: input.items,
      totalCents,
      total: formatCents(totalCents),
      currency: this.order.currency,
      approval: { required: totalCents > this.order.approvalThreshold * 100, threshold: this.order.approvalThreshold, timeout: this.order.approvalTimeout },
      deliveryWindow: this.order.deliveryWindow,
      steps: [],
      compensations: [],
      ignoredSignals: [],
      startedAt: now(),
      updatedAt: now(),
    };
    // Registered before anything can wait.
    setHandler(orderStateQuery, () => this.state);
    this.acceptApprovals();
    this.saga = new Saga({ onEvent: (event) => this.recordCompensation(event) });
  }

  get needsApproval(): boolean {
    return this.state.approval.required;
  }

  /** RECEIVED: the input is checked (InvalidOrder ends the order before any step) and audited by digest, card redacted. */
  async receive(): Promise<void> {
    const { order, state } = this;
    const invalid = orderInputProblem(order);
    if (invalid) {
      state.failure = { type: 'InvalidOrder', message: invalid };
      this.setState('FAILED');
      state.finishedAt = now();
      throw invalidInput('InvalidOrder', `order ${order.orderId}`, invalid);
    }
    await this.audit.started(
      { workflowType: 'orderProcessing', orderId: order.orderId, totalCents: state.totalCents, currency: order.currency, approvalRequired: state.approval.required },
      // The input as sent, without its card number.
      { ...this.input, payment: { cardLast4: order.payment.cardNumber.slice(-4) } },
    );
  }

  /** RESERVING_INVENTORY → (release on unwind). */
  async reserveInventory(): Promise<void> {
    const { orderId, items } = this.order;
    const input = { orderId, items: items.map(({ sku, quantity }) => ({ sku, quantity })) };
    const reservation = await this.forwardStep('reserveInventory', 'RESERVING_INVENTORY', () => reserveStock(input), (r) => ({ reservationId: r.reservationId, duplicate: r.duplicate }));
    this.saga.add('releaseInventory', () => releaseStock({ orderId }));
    this.state.reservation = { reservationId: reservation.reservationId };
    await this.audit.step('reserveStock', { input, output: reservation }, { orderId, reservationId: reservation.reservationId, items: reservation.items });
  }

  /** VALIDATING_ADDRESS: an undeliverable address fails the order before the card is charged. */
  async validateAddress(): Promise<void> {
    const { orderId, shippingAddress } = this.order;
    const input = { address: shippingAddress };
    const check = await this.forwardStep('validateAddress', 'VALIDATING_ADDRESS', () => validateAddress(input), (r) => ({ ...r }));
    if (!check.deliverable) {
      const message = `order ${orderId}: ${check.reason ?? 'the address is not deliverable'}`;
      Object.assign(this.state.steps[this.state.steps.length - 1]!, { status: 'FAILED', error: { type: 'AddressUndeliverable', message } });
      throw orderFailure('AddressUndeliverable', message);
    }
    await this.audit.step('validateAddress', { input, output: check }, { orderId, country: shippingAddress.country });
  }

  /** CHARGING_PAYMENT → (refund on unwind). */
  async chargePayment(): Promise<void> {
    const { orderId, currency, payment } = this.order;
    const amountCents = this.state.totalCents;
    const card = { number: payment.cardNumber, ...(payment.expiry ? { expiry: payment.expiry } : {}) };
    const charge = await this.forwardStep('chargePayment', 'CHARGING_PAYMENT', () => chargePayment({ orderId, amountCents, currency, card }), (c) => ({ chargeId: c.chargeId, amountCents: c.amountCents, duplicate: c.duplicate }));
    this.saga.add('refundPayment', () => refundPayment({ orderId, reason: `order ${orderId} compensated` }));
    this.state.payment = { chargeId: charge.chargeId, amountCents: charge.amountCents, cardLast4: charge.cardLast4 };
    const input = { orderId, amountCents, currency, card: { last4: payment.cardNumber.slice(-4) } };
    await this.audit.step('chargePayment', { input, output: charge }, { orderId, chargeId: charge.chargeId, amountCents: charge.amountCents, currency });
  }

  /** AWAITING_APPROVAL → APPROVED, or REJECTED / timed out (both unwind). Cancellable: a cancellation interrupts the wait. */
  async awaitApproval(): Promise<void> {
    const { orderId, approvalTimeout } = this.order;
    const { state } = this;
    const timeoutMs = parseDuration(approvalTimeout)!;
    state.approval.requestedAt = now();
    state.approval.deadline = new Date(Date.now() + timeoutMs).toISOString();
    this.setState('AWAITING_APPROVAL');
    await this.audit.decision('requested', 'approval', { orderId, totalCents: state.totalCents, threshold: state.approval.threshold, deadline: state.approval.deadline });
    const decided = await condition(() => state.approval.decision !== undefined, timeoutMs);
    if (!decided) {
      state.approval.timedOut = true;
      throw orderFailure('ApprovalTimedOut', `order ${orderId}: no approval within ${approvalTimeout}`);
    }
    const decision = state.approval.decision!;
    await this.audit.decision('taken', 'approval', { orderId, approved: decision.approved, approvedBy: decision.approvedBy, reason: decision.reason ?? null, via: decision.via });
    if (!decision.approved) {
      throw orderFailure('OrderRejected', `order ${orderId} was rejected by ${decision.approvedBy}${decision.reason ? `: ${decision.reason}` : ''}`);
    }
  }

  /** SHIPPING → (cancel the shipment on unwind). */
  async ship(): Promise<void> {
    const { orderId, shippingAddress, items } = this.order;
    const input = { orderId, address: shippingAddress, items: items.map(({ sku, quantity }) => ({ sku, quantity })) };
    const shipment = await this.forwardStep('createShipment', 'SHIPPING', () => createShipment(input), (s) => ({ trackingNumber: s.trackingNumber, carrier: s.carrier, duplicate: s.duplicate }));
    this.saga.add('cancelShipment', () => cancelShipment({ orderId, reason: `order ${orderId} compensated` }));
    this.state.shipment = { trackingNumber: shipment.trackingNumber, carrier: shipment.carrier };
    await this.audit.step('createShipment', { input, output: shipment }, { orderId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier });
  }

  /** IN_DELIVERY for the delivery window. Cancellable too: cancelling during the window unwinds the whole order. */
  async deliver(): Promise<void> {
    const windowMs = parseDuration(this.order.deliveryWindow)!;
    this.state.deliveryDueAt = new Date(Date.now() + windowMs).toISOString();
    this.setState('IN_DELIVERY');
    await sleep(windowMs);
  }

  /** COMPLETED: the result, audited by digest with a checkpoint. */
  async complete(): Promise<OrderResult> {
    const { state } = this;
    const { orderId, currency } = this.order;
    this.setState('COMPLETED');
    state.finishedAt = now();
    const result: OrderResult = {
      orderId,
      state: 'COMPLETED',
      totalCents: state.totalCents,
      total: state.total,
      currency,
      chargeId: state.payment!.chargeId,
      trackingNumber: state.shipment!.trackingNumber,
      ...(state.approval.decision ? { approval: state.approval.decision } : {}),
      completedAt: state.finishedAt,
    };
    await this.audit.ended('completed', { orderId, chargeId: result.chargeId, trackingNumber: result.trackingNumber }, result);
    log.info('order completed', { orderId, trackingNumber: result.trackingNumber });
    return result;
  }

  /**
   * COMPENSATING → FAILED or CANCELLED: a failure, rejection, approval timeout or cancellation
   * undoes what was done, newest first, outside the cancelled scope; then the order ends with a
   * typed failure (or the cancellation).
   */
  async unwind(err: unknown): Promise<never> {
    const { state, saga } = this;
    const { orderId } = this.order;
    const cancelled = isCancellation(err);
    const business = businessTypeOf(err);
    const failure: TemporalFailure = cancelled
      ? (err as TemporalFailure)
      : err instanceof ApplicationFailure
        ? err
        : business
          ? orderFailure(business.type, `order ${orderId}: ${business.message}`, err as Error)
          : orderFailure('OrderStepFailed', `order ${orderId}: ${messageOf(err)}`, err instanceof Error ? err : undefined);
    state.failure = cancelled ? { type: 'Cancelled', message: 'the order was cancelled' } : { type: (failure as ApplicationFailure).type ?? 'OrderStepFailed', message: failure.message };
    log.warn('order unwinding', { orderId, reason: state.failure.type, compensations: saga.pending });
    this.setState('COMPENSATING');
    await CancellationScope.nonCancellable(async () => {
      await this.audit.record('compensation-started', { orderId, reason: state.failure!.type, compensations: saga.pending });
      try {
        await saga.compensate();
      } catch (compensationError) {
        this.setState('FAILED');
        state.finishedAt = now();
        state.failure = { type: 'CompensationFailed', message: (compensationError as Error).message };
        await this.audit.ended('failed', { orderId, reason: 'CompensationFailed', message: (compensationError as Error).message });
        throw compensationError;
      }
      this.setState(cancelled ? 'CANCELLED' : 'FAILED');
      state.finishedAt = now();
      await this.audit.ended(cancelled ? 'cancelled' : 'failed', { orderId, reason: state.failure!.type, message: state.failure!.message, compensations: state.compensations.map((c) => c.name) });
    });
    throw failure;
  }

  private setState(next: OrderStatus): void {
    this.state.state = next;
    this.state.updatedAt = now();
  }

  /**
   * Runs a forward step to its end even if the workflow is cancelled meanwhile: a Lambda call in
   * flight cannot be recalled, so its effect must be known (and compensated) before unwinding.
   * The cancellation then surfaces at the next cancellable await.
   */
  private async forwardStep<T>(name: string, status: OrderStatus, run: () => Promise<T>, summarise: (result: T) => Record<string, unknown>): Promise<T> {
    this.setState(status);
    const record: StepRecord = { name, status: 'RUNNING', startedAt: now() };
    this.state.steps.push(record);
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

  private recordCompensation(event: CompensationEvent): void {
    const at = new Date(event.at).toISOString();
    if (event.type === 'started') this.state.compensations.push({ name: event.name, status: 'RUNNING', startedAt: at });
    const record = [...this.state.compensations].reverse().find((c) => c.name === event.name);
    if (!record) return;
    if (event.type === 'completed') Object.assign(record, { status: 'COMPLETED', finishedAt: at, outcome: event.result });
    if (event.type === 'failed') Object.assign(record, { status: 'FAILED', finishedAt: at, error: event.error });
    this.state.updatedAt = at;
  }

  private acceptApprovals(): void {
    const { state } = this;
    const orderId = this.order.orderId;
    acceptDecisions<ApprovalInput, ApprovalResult>({
      name: 'approval',
      update: approvalUpdate,
      signal: approvalSignal,
      problem: (decision) => {
        if (decision === null || typeof decision !== 'object') return 'the approval must be an object { approved, approvedBy, reason?, requestId }';
        if (typeof decision.requestId !== 'string' || decision.requestId.trim() === '') return 'requestId is required';
        if (typeof decision.approved !== 'boolean') return 'approved must be true or false';
        if (typeof decision.approvedBy !== 'string' || decision.approvedBy.trim() === '') return 'approvedBy is required: who approves or rejects the order';
        if (state.approval.decision) return `order ${orderId} was already ${state.approval.decision.approved ? 'approved' : 'rejected'} by ${state.approval.decision.approvedBy} (request ${state.approval.decision.requestId})`;
        if (state.state !== 'AWAITING_APPROVAL') return `order ${orderId} is not awaiting approval (state ${state.state})`;
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
        this.setState(decision.approved ? 'APPROVED' : 'REJECTED');
        log.info('approval decided', { orderId, approved: recorded.approved, approvedBy: recorded.approvedBy, via });
        return { orderId, requestId: decision.requestId, approved: recorded.approved, approvedBy: recorded.approvedBy, state: state.state, decidedAt: recorded.decidedAt, duplicate: false };
      },
      onIgnoredSignal: (decision, reason) => {
        const requestId = (decision as { requestId?: unknown } | null)?.requestId;
        state.ignoredSignals.push({ at: now(), ...(typeof requestId === 'string' ? { requestId } : {}), reason });
      },
    });
  }
}

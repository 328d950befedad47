/**
 * In-process stand-ins for the order saga's Lambda functions and the audit activity, for workflow
 * tests on the time-skipping server (the real functions are proven against LocalStack by the
 * integration tests). They keep the real contracts: stock never below zero, one charge per order,
 * test cards from lambdas/payment/cards.ts, "Undeliverable" streets, idempotent compensations.
 */
import { ApplicationFailure } from '@temporalio/common';
import { inventory, type ReleaseInput, type ReserveInput, type StockLine } from '../../../lambdas/inventory/steps';
import { cardOutcome } from '../../../lambdas/payment/cards';
import { payment, type ChargeInput, type RefundInput } from '../../../lambdas/payment/steps';
import { shipping, type CancelShipmentInput, type CreateShipmentInput } from '../../../lambdas/shipping/steps';
import type { AppendAuditEventRequest, AppendAuditEventResult } from '../../../runtime/audit/log/types';
import { stepActivities } from '../../support/step-activities';

export interface FakeCall {
  function: string;
  op: string;
  orderId?: string;
}

export class FakeServices {
  readonly stock = new Map<string, number>();
  readonly reservations = new Map<string, { status: 'RESERVED' | 'RELEASED'; items: StockLine[] }>();
  readonly payments = new Map<string, { status: 'CHARGED' | 'REFUNDED'; amountCents: number; chargeId: string }>();
  readonly shipments = new Map<string, { status: 'CREATED' | 'CANCELLED'; trackingNumber: string }>();
  readonly calls: FakeCall[] = [];
  readonly audit: AppendAuditEventRequest['event'][] = [];
  /** The names of the digests each audit event asked for, beside `audit`. */
  readonly auditDigests: string[][] = [];
  /** Fail the next N calls of a compensation with a retryable error (to prove unlimited retries). */
  failCompensations = 0;
  private seq = 0;

  constructor(stock: Record<string, number> = { widget: 100, gadget: 100 }) {
    for (const [sku, n] of Object.entries(stock)) this.stock.set(sku, n);
  }

  activities() {
    return {
      // Scheduled by step name (or, in histories from before named steps, as invokeFunction with an op).
      ...stepActivities([inventory, payment, shipping], (step, input) => this.invoke(step.functionName, step.legacyOp ?? step.name, input)),
      appendAuditEvent: (req: AppendAuditEventRequest): Promise<AppendAuditEventResult> => {
        this.audit.push(req.event);
        this.auditDigests.push(Object.keys(req.digests ?? {}));
        return Promise.resolve({ recorded: true, logId: req.logId ?? 'workflow', digests: {} });
      },
    };
  }

  private fail(type: string, message: string): never {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
  }

  private maybeFlakyCompensation(): void {
    if (this.failCompensations > 0) {
      this.failCompensations--;
      throw ApplicationFailure.create({ type: 'ServiceException', message: 'the service is down (simulated)', nonRetryable: false });
    }
  }

  private invoke(functionName: string, op: string, input: unknown): unknown {
    const orderId = (input as { orderId?: unknown }).orderId;
    this.calls.push({ function: functionName, op, ...(typeof orderId === 'string' ? { orderId } : {}) });
    switch (`${functionName}.${op}`) {
      case 'orderInventory.reserve': {
        const r = input as ReserveInput;
        const existing = this.reservations.get(r.orderId);
        if (existing?.status === 'RESERVED') return { orderId: r.orderId, reservationId: `res_${r.orderId}`, items: existing.items, reservedAt: '', duplicate: true };
        for (const line of r.items) {
          const available = this.stock.get(line.sku);
          if (available === undefined) this.fail('UnknownSku', `unknown SKU ${line.sku}`);
          if (available < line.quantity) this.fail('InsufficientStock', `insufficient stock: ${line.sku}`);
        }
        for (const line of r.items) this.stock.set(line.sku, this.stock.get(line.sku)! - line.quantity);
        this.reservations.set(r.orderId, { status: 'RESERVED', items: r.items });
        return { orderId: r.orderId, reservationId: `res_${r.orderId}`, items: r.items, reservedAt: new Date().toISOString(), duplicate: false };
      }
      case 'orderInventory.release': {
        this.maybeFlakyCompensation();
        const r = input as ReleaseInput;
        const existing = this.reservations.get(r.orderId);
        if (!existing) return { orderId: r.orderId, outcome: 'NO_RESERVATION', items: [] };
        if (existing.status === 'RELEASED') return { orderId: r.orderId, outcome: 'ALREADY_RELEASED', items: existing.items };
        for (const line of existing.items) this.stock.set(line.sku, this.stock.get(line.sku)! + line.quantity);
        existing.status = 'RELEASED';
        return { orderId: r.orderId, outcome: 'RELEASED', items: existing.items };
      }
      case 'orderPayment.charge': {
        const c = input as ChargeInput;
        const existing = this.payments.get(c.orderId);
        if (existing) return { orderId: c.orderId, chargeId: existing.chargeId, amountCents: existing.amountCents, currency: c.currency, cardLast4: c.card.number.slice(-4), chargedAt: '', duplicate: true };
        const outcome = cardOutcome(c.card.number);
        if (outcome.kind === 'invalid') this.fail('InvalidCard', outcome.message);
        if (outcome.kind === 'decline') this.fail('PaymentDeclined', `${outcome.message} (${outcome.code})`);
        const chargeId = `ch_${++this.seq}`;
        this.payments.set(c.orderId, { status: 'CHARGED', amountCents: c.amountCents, chargeId });
        return { orderId: c.orderId, chargeId, amountCents: c.amountCents, currency: c.currency, cardLast4: c.card.number.slice(-4), chargedAt: new Date().toISOString(), duplicate: false };
      }
      case 'orderPayment.refund': {
        this.maybeFlakyCompensation();
        const r = input as RefundInput;
        const existing = this.payments.get(r.orderId);
        if (!existing) return { orderId: r.orderId, outcome: 'NO_CHARGE' };
        if (existing.status === 'REFUNDED') return { orderId: r.orderId, outcome: 'ALREADY_REFUNDED' };
        existing.status = 'REFUNDED';
        return { orderId: r.orderId, outcome: 'REFUNDED', refundId: `re_${r.orderId}`, amountCents: existing.amountCents };
      }
      case 'orderShipping.create': {
        const s = input as CreateShipmentInput;
        if (/undeliverable/i.test(`${s.address.line1} ${s.address.line2 ?? ''}`)) this.fail('AddressUndeliverable', `the carrier does not deliver to "${s.address.line1}"`);
        const existing = this.shipments.get(s.orderId);
        if (existing) return { orderId: s.orderId, trackingNumber: existing.trackingNumber, carrier: 'Stepless Parcel', createdAt: '', duplicate: true };
        const trackingNumber = `SP${String(++this.seq).padStart(11, '0')}`;
        this.shipments.set(s.orderId, { status: 'CREATED', trackingNumber });
        return { orderId: s.orderId, trackingNumber, carrier: 'Stepless Parcel', createdAt: new Date().toISOString(), duplicate: false };
      }
      case 'orderShipping.cancel': {
        this.maybeFlakyCompensation();
        const c = input as CancelShipmentInput;
        const existing = this.shipments.get(c.orderId);
        if (!existing) return { orderId: c.orderId, outcome: 'NO_SHIPMENT' };
        if (existing.status === 'CANCELLED') return { orderId: c.orderId, outcome: 'ALREADY_CANCELLED', trackingNumber: existing.trackingNumber };
        existing.status = 'CANCELLED';
        return { orderId: c.orderId, outcome: 'CANCELLED', trackingNumber: existing.trackingNumber };
      }
      case 'orderShipping.validateAddress': {
        const v = input as { address: CreateShipmentInput['address'] };
        return /undeliverable/i.test(`${v.address.line1} ${v.address.line2 ?? ''}`) ? { deliverable: false, reason: `the carrier does not deliver to "${v.address.line1}"` } : { deliverable: true };
      }
      default:
        throw ApplicationFailure.create({ type: 'InvalidInvocation', message: `no fake for ${functionName}.${op}`, nonRetryable: true });
    }
  }

  /** Operations called, as "function.op", in order. */
  ops(): string[] {
    return this.calls.map((c) => `${c.function.replace(/^order/, '').toLowerCase()}.${c.op}`);
  }
}

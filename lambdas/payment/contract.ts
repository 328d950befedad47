/** The payment function's operations: plain types, imported by workflows as types only. */

export interface CardDetails {
  /** Digits only. Test cards, like a payment provider's: see lambdas/payment/cards.ts. */
  number: string;
  /** MM/YY, optional. */
  expiry?: string;
  holder?: string;
}

/** Charge an order. The order id is the idempotency key: a retry never charges twice. */
export interface ChargeRequest {
  op: 'charge';
  orderId: string;
  /** Integer minor units (cents). */
  amountCents: number;
  currency: string;
  card: CardDetails;
}

/** Refund an order's charge in full. Idempotent; a no-op when the order was never charged. */
export interface RefundRequest {
  op: 'refund';
  orderId: string;
  reason?: string;
}

export type PaymentRequest = ChargeRequest | RefundRequest;

export interface ChargeResult {
  orderId: string;
  chargeId: string;
  amountCents: number;
  currency: string;
  cardLast4: string;
  chargedAt: string;
  /** True when the order had already been charged: this call charged nothing. */
  duplicate: boolean;
}

export interface RefundResult {
  orderId: string;
  /** REFUNDED: refunded now; ALREADY_REFUNDED: an earlier call did it; NO_CHARGE: nothing to refund. */
  outcome: 'REFUNDED' | 'ALREADY_REFUNDED' | 'NO_CHARGE';
  refundId?: string;
  amountCents?: number;
}

/** Business failures (non-retryable). `PaymentProviderUnavailable` is retryable (an infrastructure error). */
export const PAYMENT_ERRORS = ['PaymentDeclined', 'InvalidCard', 'ChargeConflict', 'InvalidPaymentRequest'] as const;

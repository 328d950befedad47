import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';

/**
 * The payment function: charges an order once (the order id is the idempotency key) and refunds it
 * once. Its steps, their inputs, outputs and errors are declared here and nowhere else.
 */

export const cardDetails = z.object({
  /** Digits only. Test cards, like a payment provider's: see cards.ts. */
  number: z.string(),
  /** MM/YY. */
  expiry: z.string().optional(),
  holder: z.string().optional(),
});
export type CardDetails = z.infer<typeof cardDetails>;

const chargeInput = z.object({
  orderId: z.string(),
  /** Integer minor units (cents); the store refuses anything but a positive integer. */
  amountCents: z.number(),
  currency: z.string(),
  card: cardDetails,
});
export type ChargeInput = z.infer<typeof chargeInput>;

const refundInput = z.object({
  orderId: z.string(),
  reason: z.string().optional(),
});
export type RefundInput = z.infer<typeof refundInput>;

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

export const payment = declareFunction({
  name: 'orderPayment',
  description: 'Order saga: charges (once per order) and refunds payments',
  folder: 'payment',
  memoryMb: 256,
  timeoutSeconds: 20,
  // A payment provider rate-limits its callers: a burst of orders queues in Temporal (throttles
  // are retried as activity attempts) rather than being refused by the provider.
  reservedConcurrency: 10,
  tables: [{ table: 'payments', env: 'PAYMENTS_TABLE', access: 'readWrite' }],
  invalidInputError: 'InvalidPaymentRequest',
  steps: {
    charge: defineStep({
      name: 'chargePayment',
      description: "Charges the order's total to the card, once per order id",
      input: chargeInput,
      output: returns<ChargeResult>(),
      legacyOp: 'charge',
      errors: {
        PaymentDeclined: 'nonRetryable',
        InvalidCard: 'nonRetryable',
        ChargeConflict: 'nonRetryable',
        InvalidPaymentRequest: 'nonRetryable',
        // The provider timed out or the record kept changing: a retry succeeds.
        PaymentProviderUnavailable: 'retryable',
        PaymentBusy: 'retryable',
      },
    }),
    refund: defineStep({
      name: 'refundPayment',
      description: "Refunds the order's charge in full; a no-op when it was never charged",
      input: refundInput,
      output: returns<RefundResult>(),
      legacyOp: 'refund',
      errors: { InvalidPaymentRequest: 'nonRetryable', PaymentBusy: 'retryable' },
    }),
  },
});

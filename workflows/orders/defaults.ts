import { duration, fieldProblem, nonNegativeNumber, withDefaults } from '../lib/input';
import { totalCentsOf, type OrderInput } from './types';

/** Defaults of every optional setting of an order (docs/workflows/order.md lists them). */
export const ORDER_DEFAULTS = {
  /** Orders whose total (in major units, e.g. dollars) is above this wait for an approval. */
  approvalThreshold: 5000,
  /** How long an order waits for its approval before it is compensated (ApprovalTimedOut). */
  approvalTimeout: '24 hours',
  /** How long after shipping the order completes. */
  deliveryWindow: '7 days',
  currency: 'USD',
} as const;

/** An order with its defaults filled in. */
export type SettledOrder = ReturnType<typeof settleOrder>;

export const settleOrder = (input: OrderInput) => withDefaults(input, ORDER_DEFAULTS);

/** Why an order's input cannot be processed (the API checks the same, with a 400), or undefined. */
export function orderInputProblem(input: OrderInput): string | undefined {
  if (!input || typeof input !== 'object') return 'the order must be an object';
  if (!Array.isArray(input.items) || input.items.length === 0) return 'items must be a non-empty array';
  if (typeof input.payment?.cardNumber !== 'string') return 'payment.cardNumber is required';
  return fieldProblem(input, {
    items: (items) => {
      for (const item of items) {
        if (!Number.isInteger(item.quantity) || item.quantity < 1) return `: quantity of ${item.sku} must be a positive integer`;
        if (typeof item.unitPrice !== 'number' || !(item.unitPrice >= 0) || Math.abs(item.unitPrice * 100 - Math.round(item.unitPrice * 100)) > 1e-6) {
          return `: unitPrice of ${item.sku} must be a non-negative amount with at most 2 decimals`;
        }
      }
      return totalCentsOf(items) < 1 ? ': the order total must be positive' : undefined;
    },
    approvalThreshold: nonNegativeNumber,
    approvalTimeout: duration(),
    deliveryWindow: duration(),
  });
}

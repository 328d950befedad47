/**
 * The order saga's input, state, results and decisions: plain types and constants shared by the
 * workflow, the HTTP API and clients. No I/O (workflow code imports it).
 */
import type { Address } from '../../lambdas/shipping/steps';

export type { Address } from '../../lambdas/shipping/steps';

export interface OrderItem {
  sku: string;
  quantity: number;
  /** Price of one unit in major units (12.5 = 12.50), at most 2 decimals. */
  unitPrice: number;
}

export interface OrderInput {
  orderId: string;
  customer: { id?: string; name: string; email: string };
  items: OrderItem[];
  payment: { cardNumber: string; expiry?: string; cardholder?: string };
  shippingAddress: Address;
  currency?: string;
  /** Default ORDER_DEFAULTS.approvalThreshold. */
  approvalThreshold?: number;
  /** Duration string; default ORDER_DEFAULTS.approvalTimeout. */
  approvalTimeout?: string;
  /** Duration string; default ORDER_DEFAULTS.deliveryWindow. */
  deliveryWindow?: string;
}

export type OrderStatus =
  | 'RECEIVED'
  | 'RESERVING_INVENTORY'
  | 'VALIDATING_ADDRESS'
  | 'CHARGING_PAYMENT'
  | 'AWAITING_APPROVAL'
  | 'APPROVED'
  | 'REJECTED'
  | 'SHIPPING'
  | 'IN_DELIVERY'
  | 'COMPLETED'
  | 'COMPENSATING'
  | 'FAILED'
  | 'CANCELLED';

export interface StepRecord {
  name: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  startedAt: string;
  finishedAt?: string;
  /** A short summary of the step's result (never card numbers). */
  outcome?: Record<string, unknown>;
  error?: { type: string; message: string };
}

export interface CompensationRecord {
  name: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  startedAt: string;
  finishedAt?: string;
  outcome?: unknown;
  error?: string;
}

/** An approval decision, as sent by the update or the signal. */
export interface ApprovalInput {
  approved: boolean;
  approvedBy: string;
  reason?: string;
  /** Names the request: the same requestId twice is one decision (the second says duplicate). */
  requestId: string;
}

export interface ApprovalDecision {
  approved: boolean;
  approvedBy: string;
  reason?: string;
  requestId: string;
  decidedAt: string;
  via: 'update' | 'signal';
}

export interface ApprovalResult {
  orderId: string;
  requestId: string;
  approved: boolean;
  approvedBy: string;
  /** The order's state right after the decision (APPROVED or REJECTED). */
  state: OrderStatus;
  decidedAt: string;
  /** True when this requestId had already been applied: nothing changed this time. */
  duplicate: boolean;
}

export interface OrderState {
  orderId: string;
  state: OrderStatus;
  customer: { id?: string; name: string; email: string };
  items: OrderItem[];
  totalCents: number;
  /** The total in major units as a decimal string, e.g. "123.45". */
  total: string;
  currency: string;
  approval: {
    required: boolean;
    threshold: number;
    timeout: string;
    requestedAt?: string;
    deadline?: string;
    decision?: ApprovalDecision;
    timedOut?: boolean;
  };
  deliveryWindow: string;
  deliveryDueAt?: string;
  reservation?: { reservationId: string };
  payment?: { chargeId: string; amountCents: number; cardLast4: string };
  shipment?: { trackingNumber: string; carrier: string };
  steps: StepRecord[];
  compensations: CompensationRecord[];
  /** Signals that could not be applied (the update would have rejected them), with why. */
  ignoredSignals: Array<{ at: string; requestId?: string; reason: string }>;
  failure?: { type: string; message: string };
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export interface OrderResult {
  orderId: string;
  state: 'COMPLETED';
  totalCents: number;
  total: string;
  currency: string;
  chargeId: string;
  trackingNumber: string;
  approval?: ApprovalDecision;
  completedAt: string;
}

/** The failure types the order workflow ends with (ApplicationFailure.type, non-retryable). */
export const ORDER_FAILURE_TYPES = [
  'InvalidOrder',
  'UnknownSku',
  'InsufficientStock',
  'PaymentDeclined',
  'InvalidCard',
  'AddressUndeliverable',
  'OrderRejected',
  'ApprovalTimedOut',
  'OrderStepFailed',
  'CompensationFailed',
] as const;

export const orderWorkflowId = (orderId: string): string => `order-${orderId}`;

/** Integer minor units of a price in major units (2 decimals). */
export const toCents = (amount: number): number => Math.round(amount * 100);

export const formatCents = (cents: number): string => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

export function totalCentsOf(items: OrderItem[]): number {
  return items.reduce((sum, item) => sum + toCents(item.unitPrice) * item.quantity, 0);
}

import { patched } from '@temporalio/workflow';
import { workflowAudit } from '../lib/audit';
import { ORDER_LEGACY_AUDIT } from './names';
import { OrderRun } from './run';
import type { OrderInput, OrderResult } from './types';

/**
 * Version 2 of the saga checks the shipping address with the carrier before charging, so an
 * undeliverable address fails the order without ever charging the card (v1 charged, then refunded
 * when shipping failed). Workflows started before the change replay without the step; see
 * docs/workflows/order.md "Versioning".
 */
export const VALIDATE_ADDRESS_PATCH = 'validate-address-before-charge';

/**
 * The order saga, as its state diagram: RECEIVED → RESERVING_INVENTORY → VALIDATING_ADDRESS →
 * CHARGING_PAYMENT → (above the threshold) AWAITING_APPROVAL → SHIPPING → IN_DELIVERY → COMPLETED.
 * Any failure, rejection, approval timeout or cancellation goes to COMPENSATING, which undoes what
 * was done newest first (cancel shipment → refund → release inventory), then FAILED with a typed
 * failure, or CANCELLED. Each phase is a method of OrderRun (run.ts). See docs/workflows/order.md.
 */
export async function orderProcessing(input: OrderInput): Promise<OrderResult> {
  const order = new OrderRun(input, workflowAudit('order', ORDER_LEGACY_AUDIT));
  await order.receive();
  try {
    await order.reserveInventory();
    if (patched(VALIDATE_ADDRESS_PATCH)) await order.validateAddress();
    await order.chargePayment();
    if (order.needsApproval) await order.awaitApproval();
    await order.ship();
    await order.deliver();
    return await order.complete();
  } catch (err) {
    return order.unwind(err);
  }
}

import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';

/**
 * The shipping function: checks addresses with the (simulated) carrier, creates an order's
 * shipment with a tracking number and cancels it. Its steps, their inputs, outputs and errors are
 * declared here and nowhere else.
 */

export const address = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  /** ISO 3166-1 alpha-2. */
  country: z.string(),
});
export type Address = z.infer<typeof address>;

const createInput = z.object({
  orderId: z.string(),
  address,
  items: z.array(z.object({ sku: z.string(), quantity: z.number() })),
});
export type CreateShipmentInput = z.infer<typeof createInput>;
const cancelInput = z.object({ orderId: z.string(), reason: z.string().optional() });
export type CancelShipmentInput = z.infer<typeof cancelInput>;
// The store checks each field and answers "not deliverable" with the reason, so the address is not parsed strictly here.
const validateInput = z.object({ address: z.unknown() });

export interface ShipmentResult {
  orderId: string;
  trackingNumber: string;
  carrier: string;
  createdAt: string;
  duplicate: boolean;
}

export interface CancelShipmentResult {
  orderId: string;
  outcome: 'CANCELLED' | 'ALREADY_CANCELLED' | 'NO_SHIPMENT';
  trackingNumber?: string;
}

export interface ValidateAddressResult {
  deliverable: boolean;
  reason?: string;
}

export const shipping = declareFunction({
  name: 'orderShipping',
  description: 'Order saga: creates and cancels shipments with tracking numbers',
  folder: 'shipping',
  memoryMb: 256,
  timeoutSeconds: 20,
  tables: [{ table: 'shipments', env: 'SHIPMENTS_TABLE', access: 'readWrite' }],
  invalidInputError: 'InvalidShippingRequest',
  steps: {
    validateAddress: defineStep({
      name: 'validateAddress',
      description: 'Checks that the carrier delivers to an address, creating nothing',
      input: validateInput,
      output: returns<ValidateAddressResult>(),
      legacyOp: 'validateAddress',
      errors: { InvalidShippingRequest: 'nonRetryable' },
    }),
    create: defineStep({
      name: 'createShipment',
      description: "Creates the order's shipment; a retry returns the same tracking number",
      input: createInput,
      output: returns<ShipmentResult>(),
      legacyOp: 'create',
      errors: {
        AddressUndeliverable: 'nonRetryable',
        // The order's shipment was cancelled (it was compensated): it is never created again.
        ShipmentCancelled: 'nonRetryable',
        InvalidShippingRequest: 'nonRetryable',
      },
    }),
    cancel: defineStep({
      name: 'cancelShipment',
      description: "Cancels the order's shipment; a no-op when there is none",
      input: cancelInput,
      output: returns<CancelShipmentResult>(),
      legacyOp: 'cancel',
      errors: { InvalidShippingRequest: 'nonRetryable' },
    }),
  },
});

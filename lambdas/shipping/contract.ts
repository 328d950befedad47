/** The shipping function's operations: plain types, imported by workflows as types only. */

export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** Create the order's shipment. Idempotent per order id: a retry returns the same tracking number. */
export interface CreateShipmentRequest {
  op: 'create';
  orderId: string;
  address: Address;
  items: Array<{ sku: string; quantity: number }>;
}

/** Cancel the order's shipment. Idempotent; a no-op when there is none. */
export interface CancelShipmentRequest {
  op: 'cancel';
  orderId: string;
  reason?: string;
}

/** Check that the carrier delivers to an address, without creating anything. */
export interface ValidateAddressRequest {
  op: 'validateAddress';
  address: Address;
}

export type ShippingRequest = CreateShipmentRequest | CancelShipmentRequest | ValidateAddressRequest;

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

/** Business failures (non-retryable). */
export const SHIPPING_ERRORS = ['AddressUndeliverable', 'InvalidShippingRequest'] as const;

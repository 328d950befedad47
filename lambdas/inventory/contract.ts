/** The inventory function's operations: plain types, imported by workflows as types only. */

export interface StockLine {
  sku: string;
  quantity: number;
}

/** Reserve every line of an order, all or nothing. Idempotent per order id. */
export interface ReserveRequest {
  op: 'reserve';
  orderId: string;
  items: StockLine[];
}

/** Put a reservation's stock back. Idempotent per order id; a no-op for an order with no reservation. */
export interface ReleaseRequest {
  op: 'release';
  orderId: string;
}

/** Add stock to a SKU (creating it if new): how the demo, the tests and operators seed inventory. */
export interface RestockRequest {
  op: 'restock';
  sku: string;
  quantity: number;
  name?: string;
}

/** Read a SKU's stock and an order's reservation (for operators and tests). */
export interface InventoryLookupRequest {
  op: 'lookup';
  skus?: string[];
  orderId?: string;
}

export type InventoryRequest = ReserveRequest | ReleaseRequest | RestockRequest | InventoryLookupRequest;

export interface ReservationResult {
  orderId: string;
  reservationId: string;
  items: StockLine[];
  reservedAt: string;
  /** True when this order had already been reserved: nothing was decremented this time. */
  duplicate: boolean;
}

export interface ReleaseResult {
  orderId: string;
  /** RELEASED: stock put back now; ALREADY_RELEASED: an earlier call did it; NO_RESERVATION: nothing to release. */
  outcome: 'RELEASED' | 'ALREADY_RELEASED' | 'NO_RESERVATION';
  items: StockLine[];
}

export interface StockLevel {
  sku: string;
  available: number;
  name?: string;
}

export interface RestockResult extends StockLevel {
  added: number;
}

export interface InventoryLookupResult {
  stock: Array<StockLevel | { sku: string; available: null }>;
  reservation?: { orderId: string; status: 'RESERVED' | 'RELEASED'; items: StockLine[]; reservedAt?: string; releasedAt?: string } | null;
}

/** Business failures (non-retryable): the error `name`s the function throws. */
export const INVENTORY_ERRORS = ['UnknownSku', 'InsufficientStock', 'ReservationReleased', 'InvalidInventoryRequest'] as const;

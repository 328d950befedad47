import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';

/**
 * The inventory function: reserves an order's stock all or nothing, releases it, restocks SKUs and
 * looks them up. Its steps, their inputs, outputs and errors are declared here and nowhere else.
 */

export const stockLine = z.object({ sku: z.string(), quantity: z.number() });
export type StockLine = z.infer<typeof stockLine>;

const reserveInput = z.object({ orderId: z.string(), items: z.array(stockLine) });
export type ReserveInput = z.infer<typeof reserveInput>;
const releaseInput = z.object({ orderId: z.string() });
export type ReleaseInput = z.infer<typeof releaseInput>;
const restockInput = z.object({ sku: z.string(), quantity: z.number(), name: z.string().optional() });
export type RestockInput = z.infer<typeof restockInput>;
const lookupInput = z.object({ skus: z.array(z.string()).optional(), orderId: z.string().optional() });
export type LookupInput = z.infer<typeof lookupInput>;

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

export const inventory = declareFunction({
  name: 'orderInventory',
  description: 'Order saga: reserves and releases stock with conditional decrements',
  folder: 'inventory',
  memoryMb: 256,
  timeoutSeconds: 20,
  tables: [{ table: 'inventory', env: 'INVENTORY_TABLE', access: 'readWrite' }],
  invalidInputError: 'InvalidInventoryRequest',
  steps: {
    reserve: defineStep({
      name: 'reserveStock',
      description: "Reserves every line of an order, all or nothing; idempotent per order id",
      input: reserveInput,
      output: returns<ReservationResult>(),
      legacyOp: 'reserve',
      errors: {
        UnknownSku: 'nonRetryable',
        InsufficientStock: 'nonRetryable',
        ReservationReleased: 'nonRetryable',
        InvalidInventoryRequest: 'nonRetryable',
        // The transaction kept conflicting with others: later it goes through.
        InventoryBusy: 'retryable',
      },
    }),
    release: defineStep({
      name: 'releaseStock',
      description: "Puts a reservation's stock back; idempotent, a no-op without a reservation",
      input: releaseInput,
      output: returns<ReleaseResult>(),
      legacyOp: 'release',
      errors: { InvalidInventoryRequest: 'nonRetryable', InventoryBusy: 'retryable' },
    }),
    restock: defineStep({
      name: 'restockSku',
      description: 'Adds stock to a SKU, creating it if new (operators, the demo and the tests seed inventory with it)',
      input: restockInput,
      output: returns<RestockResult>(),
      legacyOp: 'restock',
      errors: { InvalidInventoryRequest: 'nonRetryable' },
    }),
    lookup: defineStep({
      name: 'lookupStock',
      description: "Reads SKUs' stock and an order's reservation",
      input: lookupInput,
      output: returns<InventoryLookupResult>(),
      legacyOp: 'lookup',
      errors: { InvalidInventoryRequest: 'nonRetryable' },
    }),
  },
});

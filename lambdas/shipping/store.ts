import { randomInt } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nonRetryable } from '../../runtime/lambda/errors';
import type { Address, CancelShipmentResult, CreateShipmentInput, ShipmentResult, ValidateAddressResult } from './steps';

/**
 * Shipments in one DynamoDB table, one item per order (partition key `orderId`), created with
 * `attribute_not_exists(orderId)`: a retried create returns the first shipment's tracking number.
 * Cancelling flips CREATED to CANCELLED once; cancelling an order with no shipment leaves a
 * CANCELLED tombstone, so a late create for it is refused.
 *
 * The simulated carrier refuses addresses whose street (line1 or line2) contains "Undeliverable"
 * (case-insensitive), and countries outside its network (ISO codes it does not know).
 */
export const CARRIER = 'Stepless Parcel';
const SERVED_COUNTRIES = new Set(['AT', 'BE', 'CA', 'CH', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'IE', 'IT', 'NL', 'NO', 'PL', 'PT', 'SE', 'US']);

export interface ShipmentItem {
  orderId: string;
  status: 'CREATED' | 'CANCELLED';
  trackingNumber?: string;
  carrier?: string;
  address?: Address;
  items?: Array<{ sku: string; quantity: number }>;
  createdAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return nonRetryable(error);
}

const isConditionFailure = (err: unknown) => (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** Checks an address as it arrived (a workflow's input): a missing or empty field makes it undeliverable, with the reason. */
export function validateAddress(candidate: unknown): ValidateAddressResult {
  if (!candidate || typeof candidate !== 'object') return { deliverable: false, reason: 'no address' };
  for (const field of ['name', 'line1', 'city', 'postalCode', 'country'] as const) {
    const value = (candidate as Record<string, unknown>)[field];
    if (typeof value !== 'string' || value.trim() === '') return { deliverable: false, reason: `address.${field} is missing` };
  }
  const address = candidate as Address;
  if (/undeliverable/i.test(`${address.line1} ${address.line2 ?? ''}`)) return { deliverable: false, reason: `the carrier does not deliver to "${address.line1}"` };
  if (!SERVED_COUNTRIES.has(address.country.toUpperCase())) return { deliverable: false, reason: `the carrier does not deliver to country ${address.country}` };
  return { deliverable: true };
}

/** A tracking number in the carrier's format: SP + 10 digits + a mod-10 check digit. */
export function newTrackingNumber(): string {
  const digits = Array.from({ length: 10 }, () => randomInt(10)).join('');
  const check = [...digits].reduce((sum, d, i) => sum + Number(d) * (i % 2 === 0 ? 3 : 1), 0) % 10;
  return `SP${digits}${(10 - check) % 10}`;
}

export class ShippingStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<ShipmentItem | undefined> {
    const res = await this.dynamo.send(new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }));
    return res.Item as ShipmentItem | undefined;
  }

  async create(req: CreateShipmentInput): Promise<ShipmentResult> {
    const check = validateAddress(req.address);
    if (!check.deliverable) throw namedError('AddressUndeliverable', check.reason ?? 'undeliverable address');
    for (let round = 0; round < 3; round++) {
      const existing = await this.get(req.orderId);
      if (existing?.status === 'CANCELLED') throw namedError('ShipmentCancelled', `order ${req.orderId}'s shipment was cancelled; it cannot be created again`);
      if (existing) return { orderId: req.orderId, trackingNumber: existing.trackingNumber!, carrier: existing.carrier ?? CARRIER, createdAt: existing.createdAt ?? '', duplicate: true };
      const item: ShipmentItem = { orderId: req.orderId, status: 'CREATED', trackingNumber: newTrackingNumber(), carrier: CARRIER, address: req.address, items: req.items, createdAt: new Date().toISOString() };
      try {
        await this.dynamo.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(orderId)' }));
        return { orderId: req.orderId, trackingNumber: item.trackingNumber!, carrier: CARRIER, createdAt: item.createdAt!, duplicate: false };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    throw new Error(`order ${req.orderId}: the shipment record kept changing; retry`);
  }

  async cancel(orderId: string, reason?: string): Promise<CancelShipmentResult> {
    const now = new Date().toISOString();
    try {
      const res = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression: 'SET #status = :cancelled, cancelledAt = :now, cancelReason = :reason',
          ConditionExpression: '#status = :created',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':created': 'CREATED', ':now': now, ':reason': reason ?? 'order compensated' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { orderId, outcome: 'CANCELLED', trackingNumber: (res.Attributes as ShipmentItem).trackingNumber! };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const existing = await this.get(orderId);
    if (existing?.status === 'CANCELLED') return { orderId, outcome: existing.trackingNumber ? 'ALREADY_CANCELLED' : 'NO_SHIPMENT', ...(existing.trackingNumber ? { trackingNumber: existing.trackingNumber } : {}) };
    if (existing === undefined) {
      try {
        await this.dynamo.send(new PutCommand({ TableName: this.tableName, Item: { orderId, status: 'CANCELLED', cancelledAt: now, cancelReason: reason ?? 'order compensated' } satisfies ShipmentItem, ConditionExpression: 'attribute_not_exists(orderId)' }));
        return { orderId, outcome: 'NO_SHIPMENT' };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    return this.cancel(orderId, reason); // created meanwhile: cancel it
  }
}

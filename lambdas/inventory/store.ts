import { GetCommand, TransactWriteCommand, UpdateCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nonRetryable } from '../../runtime/lambda/errors';
import type { InventoryLookupResult, ReleaseResult, ReservationResult, RestockResult, StockLine } from './steps';

/**
 * Inventory in one DynamoDB table (partition key `pk`):
 *   SKU#<sku>       { sku, name?, available }                 stock on hand, never below zero
 *   ORDER#<orderId> { orderId, status, items, reservedAt, ... } one reservation per order
 *
 * A reservation is one transaction: the reservation item is put only if absent, and every SKU is
 * decremented only if `available >= quantity`. So stock can never go negative, however many
 * reservations race (DynamoDB evaluates each condition atomically with its write), an order is
 * reserved at most once (a retry finds its reservation and returns it), and an order is never
 * half-reserved. A release flips the reservation to RELEASED and adds the stock back in one
 * transaction, conditional on it still being RESERVED, so it happens at most once too.
 */

const skuKey = (sku: string) => `SKU#${sku}`;
const orderKey = (orderId: string) => `ORDER#${orderId}`;

function businessError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return nonRetryable(error);
}

/** Transaction conflicts (another transaction on the same items) are retried here, then by Temporal. */
function retryableError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

interface ReservationItem {
  pk: string;
  orderId: string;
  status: 'RESERVED' | 'RELEASED';
  reservationId: string;
  items: StockLine[];
  reservedAt?: string;
  releasedAt?: string;
}

const isTransactionCanceled = (err: unknown) => (err as { name?: string } | null)?.name === 'TransactionCanceledException';
const isTransient = (err: unknown) => ['TransactionConflictException', 'TransactionInProgressException', 'ProvisionedThroughputExceededException', 'ThrottlingException'].includes((err as { name?: string } | null)?.name ?? '');
const conflictIn = (err: unknown) =>
  ((err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Merges repeated SKUs (a transaction may touch an item once) and validates the lines. */
export function normaliseLines(items: StockLine[]): StockLine[] {
  if (!Array.isArray(items) || items.length === 0) throw businessError('InvalidInventoryRequest', 'items must be a non-empty array');
  const merged = new Map<string, number>();
  for (const line of items) {
    if (typeof line?.sku !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(line.sku)) throw businessError('InvalidInventoryRequest', `invalid sku ${JSON.stringify(line?.sku)}`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1) throw businessError('InvalidInventoryRequest', `quantity of ${line.sku} must be a positive integer`);
    merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.quantity);
  }
  // DynamoDB transactions hold at most 100 items: the reservation plus 99 SKUs.
  if (merged.size > 99) throw businessError('InvalidInventoryRequest', 'an order may reserve at most 99 distinct SKUs');
  return [...merged.entries()].map(([sku, quantity]) => ({ sku, quantity }));
}

export class InventoryStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { maxConflictRetries?: number; now?: () => Date; id?: () => string } = {},
  ) {}

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  async reserve(orderId: string, rawItems: StockLine[]): Promise<ReservationResult> {
    const items = normaliseLines(rawItems);
    const reservedAt = this.now();
    const reservationId = this.options.id?.() ?? `res_${orderId}`;
    const maxRetries = this.options.maxConflictRetries ?? 10;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { pk: orderKey(orderId), orderId, status: 'RESERVED', reservationId, items, reservedAt } satisfies ReservationItem,
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...items.map((line) => ({
                Update: {
                  TableName: this.tableName,
                  Key: { pk: skuKey(line.sku) },
                  UpdateExpression: 'SET available = available - :q, updatedAt = :now',
                  ConditionExpression: 'attribute_exists(pk) AND available >= :q',
                  ExpressionAttributeValues: { ':q': line.quantity, ':now': reservedAt },
                },
              })),
            ],
          }),
        );
        return { orderId, reservationId, items, reservedAt, duplicate: false };
      } catch (err) {
        if (!isTransactionCanceled(err) && !isTransient(err)) throw err;
        if (isTransactionCanceled(err) && !conflictIn(err)) {
          // A condition failed: find out which, from consistent reads.
          const existing = await this.reservation(orderId);
          if (existing?.status === 'RESERVED') {
            return { orderId, reservationId: existing.reservationId, items: existing.items, reservedAt: existing.reservedAt ?? reservedAt, duplicate: true };
          }
          if (existing?.status === 'RELEASED') throw businessError('ReservationReleased', `order ${orderId}'s reservation was already released (the order was compensated); it cannot be reserved again`);
          const shortages: string[] = [];
          for (const line of items) {
            const stock = await this.stockOf(line.sku);
            if (stock === undefined) throw businessError('UnknownSku', `unknown SKU ${line.sku}`);
            if (stock < line.quantity) shortages.push(`${line.sku} (requested ${line.quantity}, available ${stock})`);
          }
          if (shortages.length > 0) throw businessError('InsufficientStock', `insufficient stock: ${shortages.join(', ')}`);
          // Stock came back between the failed write and the reads: try again.
        }
        if (attempt >= maxRetries) throw retryableError('InventoryBusy', `order ${orderId}: inventory transaction kept conflicting with others (${attempt + 1} tries); retry later`);
        await sleep(Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random()));
      }
    }
  }

  async release(orderId: string): Promise<ReleaseResult> {
    const maxRetries = this.options.maxConflictRetries ?? 10;
    for (let attempt = 0; ; attempt++) {
      const existing = await this.reservation(orderId);
      if (existing === undefined) {
        // A tombstone: a reservation that arrives after its release (a late retry) must not take stock.
        try {
          await this.dynamo.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { pk: orderKey(orderId), orderId, status: 'RELEASED', reservationId: '', items: [], releasedAt: this.now() } satisfies ReservationItem,
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          return { orderId, outcome: 'NO_RESERVATION', items: [] };
        } catch (err) {
          if ((err as { name?: string }).name === 'ConditionalCheckFailedException') continue;
          throw err;
        }
      }
      if (existing.status === 'RELEASED') return { orderId, outcome: 'ALREADY_RELEASED', items: existing.items };
      const releasedAt = this.now();
      try {
        await this.dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: { pk: orderKey(orderId) },
                  UpdateExpression: 'SET #status = :released, releasedAt = :now',
                  ConditionExpression: '#status = :reserved',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':released': 'RELEASED', ':reserved': 'RESERVED', ':now': releasedAt },
                },
              },
              ...existing.items.map((line) => ({
                Update: {
                  TableName: this.tableName,
                  Key: { pk: skuKey(line.sku) },
                  UpdateExpression: 'ADD available :q SET updatedAt = :now',
                  ExpressionAttributeValues: { ':q': line.quantity, ':now': releasedAt },
                },
              })),
            ],
          }),
        );
        return { orderId, outcome: 'RELEASED', items: existing.items };
      } catch (err) {
        if (!isTransactionCanceled(err) && !isTransient(err)) throw err;
        // Either released concurrently (the next read says so) or a conflict: read again.
        if (attempt >= maxRetries) throw retryableError('InventoryBusy', `order ${orderId}: release kept conflicting with other transactions; retry later`);
        await sleep(Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random()));
      }
    }
  }

  async restock(sku: string, quantity: number, name?: string): Promise<RestockResult> {
    if (typeof sku !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(sku)) throw businessError('InvalidInventoryRequest', `invalid sku ${JSON.stringify(sku)}`);
    if (!Number.isInteger(quantity) || quantity < 1) throw businessError('InvalidInventoryRequest', 'quantity must be a positive integer');
    const res = await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: skuKey(sku) },
        UpdateExpression: `SET sku = :sku, updatedAt = :now${name ? ', #name = :name' : ''} ADD available :q`,
        ...(name ? { ExpressionAttributeNames: { '#name': 'name' } } : {}),
        ExpressionAttributeValues: { ':sku': sku, ':q': quantity, ':now': this.now(), ...(name ? { ':name': name } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = res.Attributes as { available: number; name?: string };
    return { sku, available: item.available, added: quantity, ...(item.name ? { name: item.name } : {}) };
  }

  async lookup(skus: string[] = [], orderId?: string): Promise<InventoryLookupResult> {
    const stock = await Promise.all(
      skus.map(async (sku) => {
        const res = await this.dynamo.send(new GetCommand({ TableName: this.tableName, Key: { pk: skuKey(sku) }, ConsistentRead: true }));
        const item = res.Item as { available: number; name?: string } | undefined;
        return item ? { sku, available: item.available, ...(item.name ? { name: item.name } : {}) } : { sku, available: null };
      }),
    );
    if (orderId === undefined) return { stock };
    const r = await this.reservation(orderId);
    return {
      stock,
      reservation: r ? { orderId, status: r.status, items: r.items, ...(r.reservedAt ? { reservedAt: r.reservedAt } : {}), ...(r.releasedAt ? { releasedAt: r.releasedAt } : {}) } : null,
    };
  }

  async stockOf(sku: string): Promise<number | undefined> {
    const res = await this.dynamo.send(new GetCommand({ TableName: this.tableName, Key: { pk: skuKey(sku) }, ConsistentRead: true }));
    return (res.Item as { available?: number } | undefined)?.available;
  }

  async reservation(orderId: string): Promise<ReservationItem | undefined> {
    const res = await this.dynamo.send(new GetCommand({ TableName: this.tableName, Key: { pk: orderKey(orderId) }, ConsistentRead: true }));
    return res.Item as ReservationItem | undefined;
  }
}

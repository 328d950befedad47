import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { localAwsClientConfig } from '../../infra/local/config';
import { InventoryStore } from '../../lambdas/inventory/store';
import { invokeService } from '../../scripts/demo/order';
import { stack } from '../support/stack';

/**
 * The order services against the real local cloud: the stores' guarantees against DynamoDB in
 * LocalStack (many concurrent reservations, never below zero; idempotent reserve, release, charge,
 * refund, shipment and cancel), and the deployed functions through Lambda Invoke, with the error
 * types the worker turns into (non-)retryable failures.
 */
const outputs = () => stack() as unknown as Record<string, string>;
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(localAwsClientConfig), { marshallOptions: { removeUndefinedValues: true } });
const lambda = new LambdaClient({ ...localAwsClientConfig, maxAttempts: 1 });
const functions = () => JSON.parse(outputs().WorkerFunctions!) as Record<string, string>;
const fn = (name: string) => functions()[name]!;
const uid = () => randomUUID().slice(0, 8);

describe('inventory: conditional decrements in DynamoDB', () => {
  const store = () => new InventoryStore(doc, outputs().OrderInventoryTableName!, { maxConflictRetries: 50 });

  it('60 concurrent reservations against 20 in stock: exactly 20 succeed, stock ends at 0, never below', async () => {
    const s = store();
    const sku = `race-${uid()}`;
    await s.restock(sku, 20);
    const outcomes = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => s.reserve(`race-${sku}-${i}`, [{ sku, quantity: 1 }])));
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(20);
    expect(rejected.map((r) => (r.reason as Error).name)).toEqual(Array(40).fill('InsufficientStock'));
    expect(await s.stockOf(sku)).toBe(0);
  });

  it('multi-SKU reservations are all or nothing under concurrency', async () => {
    const s = store();
    const a = `a-${uid()}`;
    const b = `b-${uid()}`;
    await s.restock(a, 10);
    await s.restock(b, 4);
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => s.reserve(`pair-${a}-${i}`, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }])));
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(ok).toBe(4); // b runs out first
    expect(await s.stockOf(a)).toBe(10 - 2 * ok);
    expect(await s.stockOf(b)).toBe(0);
  });

  it('a reservation is idempotent per order, even when retried concurrently; release is idempotent too', async () => {
    const s = store();
    const sku = `idem-${uid()}`;
    await s.restock(sku, 10);
    const orderId = `idem-order-${uid()}`;
    const results = await Promise.all(Array.from({ length: 8 }, () => s.reserve(orderId, [{ sku, quantity: 3 }])));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.reservationId)).size).toBe(1);
    expect(await s.stockOf(sku)).toBe(7);

    const releases = await Promise.all(Array.from({ length: 5 }, () => s.release(orderId)));
    expect(releases.filter((r) => r.outcome === 'RELEASED')).toHaveLength(1);
    expect(releases.filter((r) => r.outcome === 'ALREADY_RELEASED')).toHaveLength(4);
    expect(await s.stockOf(sku)).toBe(10);
    // A late retry of the reservation, after its release, must not take stock again.
    await expect(s.reserve(orderId, [{ sku, quantity: 3 }])).rejects.toMatchObject({ name: 'ReservationReleased' });
    expect(await s.stockOf(sku)).toBe(10);
  });

  it('a release before any reservation leaves a tombstone: the late reservation is refused', async () => {
    const s = store();
    const sku = `tomb-${uid()}`;
    await s.restock(sku, 2);
    const orderId = `tomb-order-${uid()}`;
    expect((await s.release(orderId)).outcome).toBe('NO_RESERVATION');
    await expect(s.reserve(orderId, [{ sku, quantity: 1 }])).rejects.toMatchObject({ name: 'ReservationReleased' });
    expect(await s.stockOf(sku)).toBe(2);
  });

  it('unknown SKUs and short stock fail without touching stock', async () => {
    const s = store();
    const sku = `short-${uid()}`;
    await s.restock(sku, 1);
    await expect(s.reserve(`o-${uid()}`, [{ sku, quantity: 1 }, { sku: `missing-${uid()}`, quantity: 1 }])).rejects.toMatchObject({ name: 'UnknownSku' });
    await expect(s.reserve(`o-${uid()}`, [{ sku, quantity: 2 }])).rejects.toMatchObject({ name: 'InsufficientStock' });
    expect(await s.stockOf(sku)).toBe(1);
  });
});

describe('the deployed functions (Lambda Invoke, the envelope the worker sends)', () => {
  it('inventory: 12 concurrent reserve invocations against 5 in stock → 5 reservations, 7 non-retryable InsufficientStock, stock 0', async () => {
    const sku = `lambda-race-${uid()}`;
    const restocked = await invokeService<{ available: number }>(fn('orderInventory'), { op: 'restock', sku, quantity: 5 }, { lambda });
    expect(restocked).toMatchObject({ ok: true, value: { available: 5 } });
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => invokeService(fn('orderInventory'), { op: 'reserve', orderId: `lr-${sku}-${i}`, items: [{ sku, quantity: 1 }] }, { lambda })));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
    expect(outcomes.filter((o) => !o.ok).map((o) => (o as { errorType: string }).errorType)).toEqual(Array(7).fill('NonRetryable:InsufficientStock'));
    const lookup = await invokeService<{ stock: Array<{ available: number }> }>(fn('orderInventory'), { op: 'lookup', skus: [sku] }, { lambda });
    expect(lookup).toMatchObject({ ok: true, value: { stock: [{ sku, available: 0 }] } });
  });

  it('payment: concurrent charges of one order charge once; the refund happens once', async () => {
    const orderId = `pay-${uid()}`;
    const charge = { op: 'charge', orderId, amountCents: 4999, currency: 'USD', card: { number: '4242424242424242' } };
    const results = await Promise.all(Array.from({ length: 6 }, () => invokeService<{ chargeId: string; duplicate: boolean }>(fn('orderPayment'), charge, { lambda })));
    expect(results.every((r) => r.ok)).toBe(true);
    const values = results.map((r) => (r as { value: { chargeId: string; duplicate: boolean } }).value);
    expect(new Set(values.map((v) => v.chargeId)).size).toBe(1);
    expect(values.filter((v) => !v.duplicate)).toHaveLength(1);

    const refunds = await Promise.all([1, 2, 3].map(() => invokeService<{ outcome: string }>(fn('orderPayment'), { op: 'refund', orderId }, { lambda })));
    expect(refunds.map((r) => (r as { value: { outcome: string } }).value.outcome).sort()).toEqual(['ALREADY_REFUNDED', 'ALREADY_REFUNDED', 'REFUNDED']);
    const { Item } = await doc.send(new GetCommand({ TableName: outputs().OrderPaymentsTableName, Key: { orderId }, ConsistentRead: true }));
    expect(Item).toMatchObject({ orderId, status: 'REFUNDED', amountCents: 4999, chargeId: values[0]!.chargeId, cardLast4: '4242' });
    expect(JSON.stringify(Item)).not.toContain('4242424242424242');
  });

  it('payment test cards: declined and insufficient funds are non-retryable PaymentDeclined; 4000000000000119 fails its first attempt retryably', async () => {
    const base = { op: 'charge', amountCents: 100, currency: 'USD' };
    const declined = await invokeService(fn('orderPayment'), { ...base, orderId: `d-${uid()}`, card: { number: '4000000000000002' } }, { lambda });
    expect(declined).toMatchObject({ ok: false, errorType: 'NonRetryable:PaymentDeclined', message: expect.stringContaining('card_declined') });
    const funds = await invokeService(fn('orderPayment'), { ...base, orderId: `f-${uid()}`, card: { number: '4000000000009995' } }, { lambda });
    expect(funds).toMatchObject({ ok: false, errorType: 'NonRetryable:PaymentDeclined', message: expect.stringContaining('insufficient_funds') });
    const invalid = await invokeService(fn('orderPayment'), { ...base, orderId: `i-${uid()}`, card: { number: '4242424242424241' } }, { lambda });
    expect(invalid).toMatchObject({ ok: false, errorType: 'NonRetryable:InvalidCard' });
    const flakyOrder = `fl-${uid()}`;
    const first = await invokeService(fn('orderPayment'), { ...base, orderId: flakyOrder, card: { number: '4000000000000119' } }, { lambda, attempt: 1 });
    expect(first).toMatchObject({ ok: false, errorType: 'PaymentProviderUnavailable' });
    const second = await invokeService(fn('orderPayment'), { ...base, orderId: flakyOrder, card: { number: '4000000000000119' } }, { lambda, attempt: 2 });
    expect(second).toMatchObject({ ok: true, value: { duplicate: false } });
  });

  it('shipping: a create retried returns the same tracking number; "Undeliverable" streets fail for good; cancel is idempotent', async () => {
    const orderId = `ship-${uid()}`;
    const address = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
    const req = { op: 'create', orderId, address, items: [{ sku: 'x', quantity: 1 }] };
    const [a, b] = await Promise.all([invokeService<{ trackingNumber: string }>(fn('orderShipping'), req, { lambda }), invokeService<{ trackingNumber: string }>(fn('orderShipping'), req, { lambda })]);
    expect(a.ok && b.ok).toBe(true);
    const tracking = (a as { value: { trackingNumber: string } }).value.trackingNumber;
    expect(tracking).toMatch(/^SP\d{11}$/);
    expect((b as { value: { trackingNumber: string } }).value.trackingNumber).toBe(tracking);

    const bad = await invokeService(fn('orderShipping'), { ...req, orderId: `bad-${uid()}`, address: { ...address, line1: '13 Undeliverable Lane' } }, { lambda });
    expect(bad).toMatchObject({ ok: false, errorType: 'NonRetryable:AddressUndeliverable' });

    const cancels = await Promise.all([1, 2].map(() => invokeService<{ outcome: string }>(fn('orderShipping'), { op: 'cancel', orderId }, { lambda })));
    expect(cancels.map((c) => (c as { value: { outcome: string } }).value.outcome).sort()).toEqual(['ALREADY_CANCELLED', 'CANCELLED']);
    const { Item } = await doc.send(new GetCommand({ TableName: outputs().OrderShipmentsTableName, Key: { orderId }, ConsistentRead: true }));
    expect(Item).toMatchObject({ status: 'CANCELLED', trackingNumber: tracking });
  });
});

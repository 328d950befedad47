import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { localAwsClientConfig } from '../../infra/local/config';
import { approve, cancelOrder, orderStatus, placeOrder, restock, waitForOrder, type OrderRequest } from '../../scripts/demo/order';
import { stack } from '../support/stack';

/**
 * The order saga end to end over HTTP: API Gateway → API Lambda → Temporal → worker → the
 * inventory, payment and shipping Lambda functions → their DynamoDB tables, checked in DynamoDB.
 */
const api = () => stack().ApiUrl;
const outputs = () => stack() as unknown as Record<string, string>;
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(localAwsClientConfig));
const get = async (table: string, key: Record<string, string>) => (await doc.send(new GetCommand({ TableName: outputs()[table], Key: key, ConsistentRead: true }))).Item;
const stockOf = async (sku: string) => (await get('OrderInventoryTableName', { pk: `SKU#${sku}` }))?.available as number | undefined;

const address = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

async function newOrder(overrides: Partial<OrderRequest> & { unitPrice?: number; quantity?: number } = {}): Promise<{ orderId: string; sku: string; body: OrderRequest }> {
  const sku = `e2e-${randomUUID().slice(0, 8)}`;
  await restock(sku, 10);
  const orderId = `e2e-${randomUUID()}`;
  const { unitPrice = 10, quantity = 2, ...rest } = overrides;
  const body: OrderRequest = { orderId, customer: { name: 'Ada', email: 'ada@example.com' }, items: [{ sku, quantity, unitPrice }], payment: { cardNumber: '4242424242424242' }, shippingAddress: address, deliveryWindow: '2 seconds', ...rest };
  return { orderId, sku, body };
}

async function start(order: { body: OrderRequest; orderId: string }): Promise<void> {
  const res = await placeOrder(api(), order.body);
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ orderId: order.orderId, workflowId: `order-${order.orderId}`, status: 'RUNNING' });
  expect(res.headers.get('location')).toBe(res.body.statusUrl);
}

const inState = (state: string) => (s: { status: string; state?: { state: string } }) => s.state?.state === state || s.status !== 'RUNNING';

describe('orders over HTTP on the local cloud', () => {
  it('happy path: a small order is reserved, charged, shipped and completes after its delivery window', async () => {
    const order = await newOrder();
    await start(order);
    const done = await waitForOrder(api(), order.orderId);
    expect(done.status).toBe('COMPLETED');
    expect(done.result).toMatchObject({ orderId: order.orderId, state: 'COMPLETED', totalCents: 2000, total: '20.00' });
    expect(done.state?.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['reserveInventory:COMPLETED', 'validateAddress:COMPLETED', 'chargePayment:COMPLETED', 'createShipment:COMPLETED']);
    expect(await stockOf(order.sku)).toBe(8);
    expect(await get('OrderPaymentsTableName', { orderId: order.orderId })).toMatchObject({ status: 'CHARGED', amountCents: 2000, chargeId: done.result!.chargeId });
    expect(await get('OrderShipmentsTableName', { orderId: order.orderId })).toMatchObject({ status: 'CREATED', trackingNumber: done.result!.trackingNumber });
  });

  it('a declined card fails the order with PaymentDeclined and releases the inventory (checked in DynamoDB)', async () => {
    const order = await newOrder({ payment: { cardNumber: '4000000000000002' } });
    await start(order);
    const done = await waitForOrder(api(), order.orderId);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatchObject({ type: 'PaymentDeclined', message: expect.stringContaining('card_declined') });
    expect(done.state?.compensations.map((c) => `${c.name}:${c.status}`)).toEqual(['releaseInventory:COMPLETED']);
    expect(await stockOf(order.sku)).toBe(10);
    expect(await get('OrderInventoryTableName', { pk: `ORDER#${order.orderId}` })).toMatchObject({ status: 'RELEASED' });
    expect(await get('OrderPaymentsTableName', { orderId: order.orderId })).toMatchObject({ status: 'DECLINED', declineCode: 'card_declined' });
  });

  it('an undeliverable address fails AddressUndeliverable before any charge; the stock is released', async () => {
    const order = await newOrder({ shippingAddress: { ...address, line1: '1 Undeliverable Road' } });
    await start(order);
    const done = await waitForOrder(api(), order.orderId);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatchObject({ type: 'AddressUndeliverable' });
    expect(await get('OrderPaymentsTableName', { orderId: order.orderId })).toBeUndefined();
    expect(await stockOf(order.sku)).toBe(10);
  });

  it('a payment provider outage (card 4000000000000119 fails its first attempt) is retried by Temporal and the order completes', async () => {
    const order = await newOrder({ payment: { cardNumber: '4000000000000119' } });
    await start(order);
    const done = await waitForOrder(api(), order.orderId);
    expect(done.status).toBe('COMPLETED');
    expect(await get('OrderPaymentsTableName', { orderId: order.orderId })).toMatchObject({ status: 'CHARGED', amountCents: 2000 });
  });

  it('a large order waits for approval; approved over HTTP (a repeat says duplicate) it ships and completes', async () => {
    const order = await newOrder({ unitPrice: 3000 });
    await start(order);
    const waiting = await waitForOrder(api(), order.orderId, { done: inState('AWAITING_APPROVAL') });
    expect(waiting.state).toMatchObject({ state: 'AWAITING_APPROVAL', total: '6000.00', approval: { required: true, threshold: 5000, timeout: '24 hours' } });

    const decision = { approved: true, approvedBy: 'grace@example.com', reason: 'known customer' };
    const first = await approve(api(), order.orderId, decision);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ orderId: order.orderId, approved: true, approvedBy: 'grace@example.com', state: 'APPROVED', duplicate: false });
    const repeat = await approve(api(), order.orderId, decision);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ duplicate: true, requestId: first.body.requestId });

    const done = await waitForOrder(api(), order.orderId);
    expect(done.status).toBe('COMPLETED');
    expect(done.state?.approval.decision).toMatchObject({ approved: true, approvedBy: 'grace@example.com', via: 'update' });
    expect(await get('OrderShipmentsTableName', { orderId: order.orderId })).toMatchObject({ status: 'CREATED' });
  });

  it('a rejection compensates: the refund is recorded in the payments table and the stock released', async () => {
    const order = await newOrder({ unitPrice: 3000 });
    await start(order);
    await waitForOrder(api(), order.orderId, { done: inState('AWAITING_APPROVAL') });
    const res = await approve(api(), order.orderId, { approved: false, approvedBy: 'grace@example.com', reason: 'fraud suspected' }, `reject-${order.orderId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ approved: false, state: 'REJECTED', requestId: `reject-${order.orderId}` });
    const done = await waitForOrder(api(), order.orderId);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatchObject({ type: 'OrderRejected', message: expect.stringContaining('fraud suspected') });
    expect(done.state?.compensations.map((c) => c.name)).toEqual(['refundPayment', 'releaseInventory']);
    expect(await get('OrderPaymentsTableName', { orderId: order.orderId })).toMatchObject({ status: 'REFUNDED', amountCents: 600000, refundId: expect.stringMatching(/^re_/) });
    expect(await stockOf(order.sku)).toBe(10);
  });

  it('cancel during the delivery window: shipment cancelled, payment refunded, stock released, order CANCELLED', async () => {
    const order = await newOrder({ deliveryWindow: '1 hour' });
    await start(order);
    await waitForOrder(api(), order.orderId, { done: inState('IN_DELIVERY') });
    // Approving an order that is not awaiting approval: 409 with the validator's reason.
    const conflict = await approve(api(), order.orderId, { approved: true, approvedBy: 'grace@example.com' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toContain('is not awaiting approval (state IN_DELIVERY)');

    const res = await cancelOrder(api(), order.orderId);
    expect(res.status).toBe(202);
    const done = await waitForOrder(api(), order.orderId);
    expect(done.status).toBe('CANCELLED');
    expect(done.state?.compensations.map((c) => `${c.name}:${c.status}`)).toEqual(['cancelShipment:COMPLETED', 'refundPayment:COMPLETED', 'releaseInventory:COMPLETED']);
    expect(await get('OrderShipmentsTableName', { orderId: order.orderId })).toMatchObject({ status: 'CANCELLED' });
    expect(await get('OrderPaymentsTableName', { orderId: order.orderId })).toMatchObject({ status: 'REFUNDED' });
    expect(await stockOf(order.sku)).toBe(10);
    // A closed order cannot be cancelled again.
    expect((await cancelOrder(api(), order.orderId)).status).toBe(409);
  });

  it('409 for a duplicate orderId: no second workflow', async () => {
    const order = await newOrder({ deliveryWindow: '1 hour' });
    await start(order);
    const again = await placeOrder(api(), order.body);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ orderId: order.orderId, error: expect.stringContaining('already exists') });
    await cancelOrder(api(), order.orderId);
    expect((await waitForOrder(api(), order.orderId)).status).toBe('CANCELLED');
  });

  it('404 for an unknown order, on every route', async () => {
    const id = `nope-${randomUUID()}`;
    expect((await orderStatus(api(), id)).status).toBe(404);
    expect((await approve(api(), id, { approved: true, approvedBy: 'x' })).status).toBe(404);
    expect((await cancelOrder(api(), id)).status).toBe(404);
  });

  it('400 naming each invalid field', async () => {
    const res = await placeOrder(api(), {
      customer: { name: 'Ada', email: 'not-an-email' },
      items: [{ sku: 'x', quantity: 0, unitPrice: 1.999 }, { sku: 'y', quantity: 1, unitPrice: 5 }],
      payment: { cardNumber: '4242424242424241' },
      shippingAddress: { ...address, country: 'Britain' },
      approvalTimeout: 'tomorrow',
      colour: 'blue',
    });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(['approvalTimeout', 'colour', 'customer.email', 'items.0.quantity', 'items.0.unitPrice', 'payment.cardNumber', 'shippingAddress.country'].sort());
    const approval = await approve(api(), 'whatever', { approved: true });
    expect(approval.status).toBe(400);
    expect((approval.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(['approvedBy']);
  });
});

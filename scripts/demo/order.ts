/**
 * The order saga, driven over HTTP: `npm run demo -- order`. Also the small client the end-to-end
 * tests use (placeOrder, orderStatus, waitForOrder, approve, cancel) and `restock`, which seeds
 * inventory by invoking the inventory function (there is no HTTP route for stock on purpose: it
 * is an operator's action, not a customer's).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { apiCall, pollUntil } from '../api-client';
import { localAwsClientConfig } from '../../infra/local/config';
import { readStackOutputs } from '../../infra/local/deploy';
import type { OrderInput, OrderState } from '../../workflows/orders/types';

export interface OrderStatusBody {
  orderId: string;
  workflowId: string;
  status: string;
  state?: OrderState;
  result?: { trackingNumber: string; chargeId: string; totalCents: number; [k: string]: unknown };
  error?: { type?: string; message?: string };
}

export type OrderRequest = Omit<OrderInput, 'orderId'> & { orderId?: string };

export const placeOrder = (apiUrl: string, order: OrderRequest | Record<string, unknown>) => apiCall(apiUrl, 'POST', 'orders', order);
export const orderStatus = (apiUrl: string, orderId: string) => apiCall<OrderStatusBody>(apiUrl, 'GET', `orders/${encodeURIComponent(orderId)}`);
export const approve = (apiUrl: string, orderId: string, decision: { approved: boolean; approvedBy?: string; reason?: string }, idempotencyKey?: string) =>
  apiCall<Record<string, unknown>>(apiUrl, 'POST', `orders/${encodeURIComponent(orderId)}/approval`, decision, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
export const cancelOrder = (apiUrl: string, orderId: string) => apiCall<Record<string, unknown>>(apiUrl, 'POST', `orders/${encodeURIComponent(orderId)}/cancel`);

/** Polls GET /orders/{id} until `done` says so (default: no longer RUNNING). */
export function waitForOrder(apiUrl: string, orderId: string, opts: { timeoutMs?: number; done?: (s: OrderStatusBody) => boolean } = {}): Promise<OrderStatusBody> {
  return pollUntil<OrderStatusBody>(apiUrl, `orders/${encodeURIComponent(orderId)}`, opts.done ?? ((s) => s.status !== 'RUNNING'), { timeoutMs: opts.timeoutMs ?? 90_000 });
}

/** Invokes one of the order services directly, in the envelope the worker uses. */
export async function invokeService<T>(functionName: string, input: unknown, opts: { lambda?: LambdaClient; attempt?: number; caller?: string } = {}): Promise<{ ok: true; value: T } | { ok: false; errorType: string; message: string }> {
  const lambda = opts.lambda ?? new LambdaClient(localAwsClientConfig);
  const caller = opts.caller ?? 'operator';
  const envelope = { input, meta: { workflowId: caller, runId: '-', activityId: '-', attempt: opts.attempt ?? 1, idempotencyKey: `${caller}/-/-` } };
  const res = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(envelope)) }));
  const payload = JSON.parse(Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8') || 'null') as unknown;
  if (res.FunctionError) {
    const err = payload as { errorType?: string; errorMessage?: string };
    return { ok: false, errorType: err.errorType ?? res.FunctionError, message: err.errorMessage ?? '' };
  }
  return { ok: true, value: payload as T };
}

/** The deployed inventory function (stack output OrderInventoryFunctionName). */
export const inventoryFunctionName = (): string => {
  const name = (readStackOutputs() as unknown as Record<string, string | undefined>).OrderInventoryFunctionName;
  if (!name) throw new Error('the stack has no OrderInventoryFunctionName output; deploy it with npm run local:up');
  return name;
};

export async function restock(sku: string, quantity: number, name?: string): Promise<{ sku: string; available: number }> {
  const res = await invokeService<{ sku: string; available: number }>(inventoryFunctionName(), { op: 'restock', sku, quantity, ...(name ? { name } : {}) });
  if (!res.ok) throw new Error(`restock ${sku}: ${res.errorType}: ${res.message}`);
  return res.value;
}

// ---------------------------------------------------------------------------------------------
// The demo.

const show = (title: string) => console.log(`\n\x1b[1m▸ ${title}\x1b[0m`);
const curl = (line: string) => console.log(`  \x1b[2m$ ${line}\x1b[0m`);
const print = (label: string, value: unknown) => console.log(`  ${label} ${JSON.stringify(value)}`);

export async function runOrderDemo(apiUrl: string): Promise<void> {
  const api = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const run = Date.now().toString(36);
  const sku = `demo-widget-${run}`;
  const address = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };
  const customer = { name: 'Ada Lovelace', email: 'ada@example.com' };
  console.log(`Order saga demo against ${api}`);

  show('Seed inventory (an operator action: invoke the inventory function)');
  curl(`aws --endpoint-url http://127.0.0.1:4566 lambda invoke --function-name ${inventoryFunctionName()} --cli-binary-format raw-in-base64-out --payload '{"input":{"op":"restock","sku":"${sku}","quantity":20},"meta":{"workflowId":"operator","runId":"-","activityId":"-","attempt":1,"idempotencyKey":"operator/-/-"}}' /dev/stdout`);
  print('stock:', await restock(sku, 20, 'Demo widget'));

  show('1. A small order: reserve → charge → ship → completes after a 5-second delivery window');
  const happyId = `demo-happy-${run}`;
  const happy = { orderId: happyId, customer, items: [{ sku, quantity: 2, unitPrice: 19.99 }], payment: { cardNumber: '4242424242424242' }, shippingAddress: address, deliveryWindow: '5 seconds' };
  curl(`curl -s -X POST ${api}orders -H 'content-type: application/json' -d '${JSON.stringify(happy)}'`);
  print('→', (await placeOrder(api, happy)).body);
  const inDelivery = await waitForOrder(api, happyId, { done: (s) => s.state?.state === 'IN_DELIVERY' || s.status !== 'RUNNING' });
  curl(`curl -s ${api}orders/${happyId}`);
  print('→ state:', { state: inDelivery.state?.state, shipment: inDelivery.state?.shipment, payment: inDelivery.state?.payment, deliveryDueAt: inDelivery.state?.deliveryDueAt });
  const completed = await waitForOrder(api, happyId);
  print('→', { status: completed.status, result: completed.result });

  show('2. A declined card (4000000000000002): the reservation is released, the order FAILS with PaymentDeclined');
  const declinedId = `demo-declined-${run}`;
  const declined = { ...happy, orderId: declinedId, payment: { cardNumber: '4000000000000002' } };
  curl(`curl -s -X POST ${api}orders -H 'content-type: application/json' -d '${JSON.stringify(declined)}'`);
  await placeOrder(api, declined);
  const failed = await waitForOrder(api, declinedId);
  print('→', { status: failed.status, error: failed.error, compensations: failed.state?.compensations.map((c) => `${c.name}: ${c.status}`) });

  show('3. A large order (above the 5000 threshold) waits for an approval; approve it over HTTP');
  const largeId = `demo-large-${run}`;
  const large = { ...happy, orderId: largeId, items: [{ sku, quantity: 3, unitPrice: 2500 }] };
  curl(`curl -s -X POST ${api}orders -H 'content-type: application/json' -d '${JSON.stringify(large)}'`);
  await placeOrder(api, large);
  const waiting = await waitForOrder(api, largeId, { done: (s) => s.state?.state === 'AWAITING_APPROVAL' || s.status !== 'RUNNING' });
  print('→ state:', { state: waiting.state?.state, total: waiting.state?.total, approval: waiting.state?.approval });
  const decision = { approved: true, approvedBy: 'grace@example.com', reason: 'known customer' };
  curl(`curl -s -X POST ${api}orders/${largeId}/approval -H 'content-type: application/json' -H 'Idempotency-Key: demo-${run}' -d '${JSON.stringify(decision)}'`);
  const approved = await approve(api, largeId, decision, `demo-${run}`);
  print(`→ ${approved.status}`, approved.body);
  const again = await approve(api, largeId, decision, `demo-${run}`);
  print(`→ the same request again: ${again.status}`, again.body);
  const shipped = await waitForOrder(api, largeId, { done: (s) => s.state?.state === 'IN_DELIVERY' || s.status !== 'RUNNING' });
  print('→ state:', { state: shipped.state?.state, trackingNumber: shipped.state?.shipment?.trackingNumber });

  show('4. Cancel during the delivery window: cancel shipment → refund → release, the order ends CANCELLED');
  curl(`curl -s -X POST ${api}orders/${largeId}/cancel`);
  print('→', (await cancelOrder(api, largeId)).body);
  const cancelled = await waitForOrder(api, largeId);
  print('→', { status: cancelled.status, compensations: cancelled.state?.compensations.map((c) => `${c.name}: ${c.status}`) });

  show('5. Approving an order that is not awaiting approval is a 409 with the reason');
  const conflict = await approve(api, happyId, decision);
  print(`→ ${conflict.status}`, conflict.body);

  console.log(`\nAudit trail of one order: npm run audit -- verify order-${happyId}`);
  console.log(`Its logs: npm run logs -- --workflow order-${happyId}`);
}

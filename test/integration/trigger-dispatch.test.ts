import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../../runtime/workflow-names';
import { dispatchEvent } from '../../runtime/triggers/dispatch';
import { compileTrigger, UnprocessableEventError } from '../../runtime/triggers/mapping';
import { temporalClient } from '../support/stack';

/**
 * The Update and Signal deliveries of a trigger against the local Temporal server and worker: the
 * mapping and dispatch code the trigger function runs, called here directly.
 */
describe('trigger deliveries', () => {
  let temporal: { client: Client; close: () => Promise<void> };
  const started: string[] = [];
  beforeAll(async () => {
    temporal = await temporalClient();
  });
  afterAll(async () => {
    for (const id of started) await temporal.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    await temporal.close();
  });

  it('an Update the workflow\'s validator rejects is unprocessable, with the validator\'s reason', async () => {
    const orderId = `trigger-${randomUUID().slice(0, 8)}`;
    const approvals = compileTrigger({
      name: 'approvals',
      workflow: 'orderProcessing',
      key: 'id',
      workflowIdPrefix: 'order',
      input: '{ "orderId": detail.orderId, "customer": { "name": "Ann", "email": "ann@example.com" }, "items": [{ "sku": "SKU-TRIGGER", "quantity": 1, "unitPrice": 1 }], "payment": { "cardNumber": "4242424242424242" }, "shippingAddress": { "line1": "1 Main St", "city": "Paris", "postalCode": "75001", "country": "FR" } }',
      deliver: { update: 'approval', args: '{ "approved": true, "requestId": $key }' },
    });
    const mapped = await approvals({ id: `ev-${orderId}`, detail: { orderId } });
    started.push(mapped.workflowId);
    const err = await dispatchEvent(temporal.client, DEFAULT_TASK_QUEUE, mapped).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnprocessableEventError);
    expect((err as UnprocessableEventError).reason).toBe('UPDATE_REJECTED');
    expect((err as UnprocessableEventError).message).toMatch(/approvedBy is required/);
  });

  it('Signal-with-start starts one workflow per key and signals it on every delivery', async () => {
    const jobId = `signal-${randomUUID().slice(0, 8)}`;
    const signals = compileTrigger({ name: 'signals', workflow: 'textStatsJob', key: 'jobId', input: '{ "jobId": jobId, "text": text }', deliver: { signal: 'note', args: '{ "key": $key }' } });
    const mapped = await signals({ jobId, text: 'a b c' });
    started.push(mapped.workflowId);
    await expect(dispatchEvent(temporal.client, DEFAULT_TASK_QUEUE, mapped)).resolves.toBe('signalled');
    await expect(dispatchEvent(temporal.client, DEFAULT_TASK_QUEUE, mapped)).resolves.toBe('signalled');
    const handle = temporal.client.workflow.getHandle(mapped.workflowId);
    await expect(handle.result()).resolves.toMatchObject({ jobId, words: 3 });
    let runs = 0;
    for await (const _ of temporal.client.workflow.list({ query: `WorkflowId = "${mapped.workflowId}"` })) runs++;
    expect(runs).toBe(1);
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBeGreaterThanOrEqual(1);
  });
});

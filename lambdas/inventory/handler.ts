import { activityHandler, nonRetryable } from '../../runtime/lambda/handler';
import { dynamo, requireEnv } from '../shared/aws';
import { createLogger } from '../shared/log';
import type { InventoryRequest } from './contract';
import { InventoryStore } from './store';

let store: InventoryStore | undefined;

/** The inventory service: reserve / release an order's stock, restock and look up SKUs (see store.ts). */
export const handler = activityHandler<InventoryRequest, unknown>(async (input, meta, context) => {
  const log = createLogger({ workflowId: meta.workflowId, runId: meta.runId, activityId: meta.activityId, requestId: context.awsRequestId });
  store ??= new InventoryStore(dynamo, requireEnv('INVENTORY_TABLE'));
  log.info('inventory request', { op: input?.op, attempt: meta.attempt, ...('orderId' in input ? { orderId: input.orderId } : {}) });
  switch (input?.op) {
    case 'reserve': {
      const result = await store.reserve(String(input.orderId), input.items);
      log.info(result.duplicate ? 'reservation already made' : 'inventory reserved', { orderId: input.orderId, items: result.items });
      return result;
    }
    case 'release': {
      const result = await store.release(String(input.orderId));
      log.info('inventory release', { orderId: input.orderId, outcome: result.outcome });
      return result;
    }
    case 'restock':
      return store.restock(input.sku, input.quantity, input.name);
    case 'lookup':
      return store.lookup(input.skus ?? [], input.orderId);
    default: {
      const error = new Error(`unknown inventory operation ${JSON.stringify((input as { op?: unknown })?.op)}; expected reserve, release, restock or lookup`);
      error.name = 'InvalidInventoryRequest';
      throw nonRetryable(error);
    }
  }
});

import { activityHandler, nonRetryable } from '../../runtime/lambda/handler';
import { dynamo, requireEnv } from '../shared/aws';
import { createLogger } from '../shared/log';
import type { ShippingRequest } from './contract';
import { ShippingStore, validateAddress } from './store';

let store: ShippingStore | undefined;

/** The shipping service: create an order's shipment with a tracking number, cancel it, check an address. */
export const handler = activityHandler<ShippingRequest, unknown>(async (input, meta, context) => {
  const log = createLogger({ workflowId: meta.workflowId, runId: meta.runId, activityId: meta.activityId, requestId: context.awsRequestId });
  store ??= new ShippingStore(dynamo, requireEnv('SHIPMENTS_TABLE'));
  switch (input?.op) {
    case 'create': {
      const result = await store.create(input);
      log.info(result.duplicate ? 'shipment already created' : 'shipment created', { orderId: input.orderId, trackingNumber: result.trackingNumber });
      return result;
    }
    case 'cancel': {
      const result = await store.cancel(input.orderId, input.reason);
      log.info('shipment cancel', { orderId: input.orderId, outcome: result.outcome });
      return result;
    }
    case 'validateAddress':
      return validateAddress(input.address);
    default: {
      const error = new Error(`unknown shipping operation ${JSON.stringify((input as { op?: unknown })?.op)}; expected create, cancel or validateAddress`);
      error.name = 'InvalidShippingRequest';
      throw nonRetryable(error);
    }
  }
});

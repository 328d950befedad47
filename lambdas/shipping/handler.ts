import { functionHandler } from '../../runtime/steps/handler';
import { dynamo, requireEnv } from '../shared/aws';
import { shipping } from './steps';
import { ShippingStore, validateAddress } from './store';

let store: ShippingStore | undefined;
const shipments = () => (store ??= new ShippingStore(dynamo, requireEnv('SHIPMENTS_TABLE')));

/** The shipping service: create an order's shipment with a tracking number, cancel it, check an address. */
export const handler = functionHandler(shipping, {
  async create(input, { log }) {
    const result = await shipments().create(input);
    log.info(result.duplicate ? 'shipment already created' : 'shipment created', { orderId: input.orderId, trackingNumber: result.trackingNumber });
    return result;
  },
  async cancel(input, { log }) {
    const result = await shipments().cancel(input.orderId, input.reason);
    log.info('shipment cancel', { orderId: input.orderId, outcome: result.outcome });
    return result;
  },
  validateAddress: (input) => Promise.resolve(validateAddress(input.address)),
});

import { functionHandler } from '../../runtime/steps/handler';
import { dynamo, requireEnv } from '../shared/aws';
import { inventory } from './steps';
import { InventoryStore } from './store';

let store: InventoryStore | undefined;
const stock = () => (store ??= new InventoryStore(dynamo, requireEnv('INVENTORY_TABLE')));

/** The inventory service: reserve / release an order's stock, restock and look up SKUs (see store.ts). */
export const handler = functionHandler(inventory, {
  async reserve(input, { log }) {
    const result = await stock().reserve(input.orderId, input.items);
    log.info(result.duplicate ? 'reservation already made' : 'inventory reserved', { orderId: input.orderId, items: result.items });
    return result;
  },
  async release(input, { log }) {
    const result = await stock().release(input.orderId);
    log.info('inventory release', { orderId: input.orderId, outcome: result.outcome });
    return result;
  },
  restock: (input) => stock().restock(input.sku, input.quantity, input.name),
  lookup: (input) => stock().lookup(input.skus ?? [], input.orderId),
});

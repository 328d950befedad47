import { restock } from './demo/order';
import { runMain } from './run-main';

/**
 * `npm run restock -- <sku> <quantity> [name]`: adds stock for the order saga by invoking the
 * deployed inventory function's `restock` operation (stock is an operator's action, so the HTTP API
 * has no route for it). Prints the SKU's new available quantity.
 */
runMain(async () => {
  const [sku, quantityText, name] = process.argv.slice(2);
  const quantity = Number(quantityText);
  if (!sku || !Number.isSafeInteger(quantity) || quantity < 1) throw new Error('usage: npm run restock -- <sku> <quantity ≥ 1> [name]');
  const stock = await restock(sku, quantity, name);
  console.log(JSON.stringify(stock));
});

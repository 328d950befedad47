import { handleGetUser, handleListOrders } from './api/handlers';
import { quote } from './billing/pricing';
import { loadPlugin } from './plugins/loader';
import { settings } from './config';
import { describe } from './util/format';

export function main(): string {
  const plugin = loadPlugin('return 1 + 1');
  return [settings.region, describe(quote(3, 'gold', true, 'EU')), String(plugin), typeof handleGetUser, typeof handleListOrders].join(' ');
}

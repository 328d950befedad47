import { functionHandler } from '../../runtime/steps/handler';
import { dynamo, requireEnv } from '../shared/aws';
import { payment } from './steps';
import { PaymentStore } from './store';

let store: PaymentStore | undefined;
const payments = () => (store ??= new PaymentStore(dynamo, requireEnv('PAYMENTS_TABLE')));

/** The payment service: charge an order once (the order id is the idempotency key), refund it once. */
export const handler = functionHandler(payment, {
  async charge(input, { meta, log }) {
    log.info('charge requested', { orderId: input.orderId, amountCents: input.amountCents, currency: input.currency });
    const result = await payments().charge(input, meta.attempt);
    log.info(result.duplicate ? 'already charged: returning the charge' : 'charged', { orderId: input.orderId, chargeId: result.chargeId });
    return result;
  },
  async refund(input, { log }) {
    const result = await payments().refund(input.orderId, input.reason);
    log.info('refund', { orderId: input.orderId, outcome: result.outcome, refundId: result.refundId });
    return result;
  },
});

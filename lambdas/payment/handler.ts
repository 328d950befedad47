import { activityHandler, nonRetryable } from '../../runtime/lambda/handler';
import { dynamo, requireEnv } from '../shared/aws';
import { createLogger } from '../shared/log';
import type { PaymentRequest } from './contract';
import { PaymentStore } from './store';

let store: PaymentStore | undefined;

/** The payment service: charge an order once (the order id is the idempotency key), refund it once. */
export const handler = activityHandler<PaymentRequest, unknown>(async (input, meta, context) => {
  const log = createLogger({ workflowId: meta.workflowId, runId: meta.runId, activityId: meta.activityId, requestId: context.awsRequestId });
  store ??= new PaymentStore(dynamo, requireEnv('PAYMENTS_TABLE'));
  switch (input?.op) {
    case 'charge': {
      log.info('charge requested', { orderId: input.orderId, amountCents: input.amountCents, currency: input.currency, attempt: meta.attempt });
      try {
        const result = await store.charge(input, meta.attempt);
        log.info(result.duplicate ? 'already charged: returning the charge' : 'charged', { orderId: input.orderId, chargeId: result.chargeId });
        return result;
      } catch (err) {
        log.warn('charge failed', { orderId: input.orderId, error: (err as Error).name, message: (err as Error).message });
        throw err;
      }
    }
    case 'refund': {
      const result = await store.refund(input.orderId, input.reason);
      log.info('refund', { orderId: input.orderId, outcome: result.outcome, refundId: result.refundId });
      return result;
    }
    default: {
      const error = new Error(`unknown payment operation ${JSON.stringify((input as { op?: unknown })?.op)}; expected charge or refund`);
      error.name = 'InvalidPaymentRequest';
      throw nonRetryable(error);
    }
  }
});

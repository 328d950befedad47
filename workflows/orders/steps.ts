import { inventory } from '../../lambdas/inventory/steps';
import { payment } from '../../lambdas/payment/steps';
import { shipping } from '../../lambdas/shipping/steps';
import { nonRetryableErrorsOf } from '../../runtime/steps/declare';
import { step } from '../../runtime/steps/workflow';

/** The order saga's Lambda steps; their errors (and which a retry cannot fix) come from the declarations. */

/** Business errors of the services: what their declarations say a retry cannot fix. */
export const BUSINESS_ERRORS = [inventory, payment, shipping].flatMap((fn) => Object.values(fn.steps).flatMap(nonRetryableErrorsOf));

/** Forward steps: infrastructure errors retry with backoff, up to 10 attempts (a few minutes). */
const forward = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
} as const;

/** Compensations: retried until they succeed (no maximumAttempts = unlimited), backing off to 1 minute. */
const compensating = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

export const reserveStock = step(inventory.steps.reserve, forward);
export const validateAddress = step(shipping.steps.validateAddress, forward);
export const chargePayment = step(payment.steps.charge, forward);
export const createShipment = step(shipping.steps.create, forward);
export const releaseStock = step(inventory.steps.release, compensating);
export const refundPayment = step(payment.steps.refund, compensating);
export const cancelShipment = step(shipping.steps.cancel, compensating);

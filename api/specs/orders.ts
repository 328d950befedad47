import { z } from 'zod';
import { luhnValid } from '../../lambdas/payment/cards';
import { ORDER_DEFAULTS } from '../../workflows/orders/defaults';
import { durationSchema } from './duration';
import { clientIdSchema, defineSpec, resourceErrors } from './route-spec';
import { acceptedSchema, idempotencyKeyHeader, statusSchema } from './workflow-answers';

/** The order saga's routes (workflows/orders/workflow.ts; docs/workflows/order.md); api/orders.ts handles them. */

const text = (what: string, max = 200) => z.string({ error: `must be a string: ${what}` }).trim().min(1, `must not be empty: ${what}`).max(max, `must be at most ${max} characters`);

const duration = (what: string, dflt: string) => durationSchema(`${what}. Default "${dflt}"`);

const twoDecimals = (n: number) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6;

export const startOrderSchema = z.strictObject({
  orderId: clientIdSchema.optional().describe('Your id for the order; default a UUID. Reusing one answers 409.'),
  customer: z.strictObject(
    {
      id: text('the customer id', 64).optional(),
      name: text("the customer's name"),
      email: z.email({ error: 'must be an email address' }),
    },
    { error: 'must be an object { name, email, id? }' },
  ),
  items: z
    .array(
      z.strictObject(
        {
          sku: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of letters, digits, ".", "_" or "-"'),
          quantity: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000'),
          unitPrice: z.number({ error: 'must be a number' }).min(0, 'must not be negative').max(10_000_000, 'must be at most 10000000').refine(twoDecimals, 'must have at most 2 decimals')
            // Not JSON Schema's multipleOf 0.01: validators compute it in binary floating point, where 0.57 is not a multiple.
            .describe('At most 2 decimals'),
        },
        { error: 'must be an object { sku, quantity, unitPrice }' },
      ),
      { error: 'must be an array of { sku, quantity, unitPrice }' },
    )
    .min(1, 'must contain at least one item')
    .max(50, 'must contain at most 50 items')
    .refine((items) => items.reduce((sum, i) => sum + Math.round(i.unitPrice * 100) * i.quantity, 0) > 0, 'the order total must be positive')
    // The rule above as JSON Schema: quantities are at least 1 and prices have 2 decimals, so a positive total is an item priced above 0.
    .meta({ contains: { properties: { unitPrice: { exclusiveMinimum: 0 } } }, description: 'The order total must be positive: at least one item priced above 0' }),
  payment: z.strictObject(
    {
      cardNumber: z
        .string({ error: 'must be a string of digits' })
        .regex(/^\d{12,19}$/, 'must be 12-19 digits')
        .refine(luhnValid, 'is not a valid card number (checksum)')
        .describe('12-19 digits that pass the Luhn checksum. Test cards: 4242424242424242 succeeds, 4000000000000002 is declined, 4000000000009995 has insufficient funds, 4000000000000119 fails once then succeeds'),
      expiry: z.string({ error: 'must be a string' }).regex(/^(0[1-9]|1[0-2])\/\d{2}$/, 'must be MM/YY').optional(),
      cardholder: text('the cardholder').optional(),
    },
    { error: 'must be an object { cardNumber, expiry?, cardholder? }' },
  ),
  shippingAddress: z
    .strictObject(
      {
        name: text("the recipient's name"),
        line1: text('the street address'),
        line2: z.string({ error: 'must be a string' }).max(200, 'must be at most 200 characters').optional(),
        city: text('the city', 100),
        postalCode: text('the postal code', 20),
        country: z.string({ error: 'must be a string' }).regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US or DE'),
      },
      { error: 'must be an object { name, line1, line2?, city, postalCode, country }' },
    )
    .describe('A street containing "Undeliverable" makes the shipping step fail (AddressUndeliverable)'),
  currency: z.string({ error: 'must be a string' }).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD').optional().describe(`Default ${ORDER_DEFAULTS.currency}`),
  approvalThreshold: z.number({ error: 'must be a number' }).min(0, 'must not be negative').optional().describe(`Orders whose total is above this wait for an approval. Default ${ORDER_DEFAULTS.approvalThreshold}`),
  approvalTimeout: duration('How long to wait for an approval before compensating', ORDER_DEFAULTS.approvalTimeout).optional(),
  deliveryWindow: duration('How long after shipping the order completes', ORDER_DEFAULTS.deliveryWindow).optional(),
});

export const approvalSchema = z.strictObject({
  approved: z.boolean({ error: 'must be true (approve) or false (reject)' }),
  approvedBy: text('who approves or rejects the order'),
  reason: z.string({ error: 'must be a string' }).max(500, 'must be at most 500 characters').optional(),
});

const approvalResultSchema = z.object({
  orderId: z.string(),
  requestId: z.string(),
  approved: z.boolean(),
  approvedBy: z.string(),
  state: z.string(),
  decidedAt: z.string(),
  duplicate: z.boolean().describe('true when this request had already been applied: nothing changed'),
});

const orderIdParam = { orderId: clientIdSchema };
const errors = resourceErrors('orderId');

export const orderSpecs = {
  start: defineSpec({
    method: 'POST',
    path: '/orders',
    summary: 'Place an order: reserve → charge → (approval above the threshold) → ship → complete after the delivery window',
    tags: ['orders'],
    body: startOrderSchema,
    responses: { 202: { description: 'Started', schema: acceptedSchema('orderId'), headers: { Location: 'The status URL' } }, 400: errors[400], 409: errors[409], 503: errors[503] },
  }),
  status: defineSpec({
    method: 'GET',
    path: '/orders/{orderId}',
    summary: "An order's status, its state (steps, compensations, approval) and its result or failure",
    tags: ['orders'],
    params: orderIdParam,
    responses: { 200: { description: 'The status', schema: statusSchema('orderId') }, 400: errors[400], 404: errors[404], 503: errors[503] },
  }),
  approval: defineSpec({
    method: 'POST',
    path: '/orders/{orderId}/approval',
    summary: 'Approve or reject an order awaiting approval (a Temporal Update: the answer is the outcome)',
    description: 'A repeat of the same request (same Idempotency-Key, or the same body) changes nothing and answers duplicate: true. 409 when the order is not awaiting approval.',
    tags: ['orders'],
    params: orderIdParam,
    headers: idempotencyKeyHeader,
    body: approvalSchema,
    responses: { 200: { description: 'The decision was applied (or had been: duplicate)', schema: approvalResultSchema }, 400: errors[400], 404: errors[404], 409: errors[409], 503: errors[503] },
  }),
  cancel: defineSpec({
    method: 'POST',
    path: '/orders/{orderId}/cancel',
    summary: 'Cancel an order: interrupts any wait, compensates what was done, then the order ends CANCELLED',
    tags: ['orders'],
    params: orderIdParam,
    responses: { 202: { description: 'Cancellation requested', schema: z.object({ orderId: z.string(), workflowId: z.string(), status: z.literal('CANCEL_REQUESTED') }) }, 400: errors[400], 404: errors[404], 409: errors[409], 503: errors[503] },
  }),
};

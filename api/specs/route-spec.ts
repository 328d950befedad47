/**
 * A route as data: its method, path template, the zod schemas of its input and answers, and its
 * documentation. The router (api/router.ts) validates with these schemas, the OpenAPI document
 * (api/openapi.ts) is generated from them, and the CDK stack (infra/constructs/http-api.ts) makes
 * a gateway method and body model of each; so that `cdk synth` never loads the Temporal client or
 * the AWS SDK, the modules under api/specs import only zod and contract types and constants.
 *
 *   export const orderSpecs = {
 *     start: defineSpec({
 *       method: 'POST', path: '/orders', summary: 'Start an order', tags: ['orders'],
 *       body: startOrderSchema,
 *       responses: { 202: { description: 'Accepted', schema: acceptedSchema('orderId') }, 409: errors[409] },
 *     }),
 *   };
 *
 * What a route does is attached in a separate module (api/orders.ts: `Handlers<typeof orderSpecs>`).
 */
import { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ResponseSpec {
  description: string;
  /** The JSON body's schema, for the OpenAPI document. */
  schema?: z.ZodType;
  /** Response headers worth documenting (Location on 202). */
  headers?: Record<string, string>;
}

export interface RouteSpec<B = unknown> {
  method: HttpMethod;
  /** A path template such as `/orders/{orderId}/approval`; a last segment `{name+}` (gateway only) matches the rest of the path. */
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Schemas for path parameters; a parameter without one only has to be non-empty. */
  params?: Record<string, z.ZodType<string>>;
  /** Query parameters, for the document (the handler reads them); those marked required are checked at the gateway too. */
  query?: Record<string, { description: string; required?: boolean; schema: z.ZodType }>;
  /** The JSON body's schema: the router validates it before the handler runs, and the gateway against a model generated from it. */
  body?: z.ZodType<B>;
  /** Headers the route reads (Idempotency-Key), for the document; those marked required are checked at the gateway too. */
  headers?: Record<string, { description: string; required?: boolean; schema?: z.ZodType<string> }>;
  responses: Record<number, ResponseSpec>;
  /**
   * Only operators may call it (the codec, which decrypts payloads): on AWS the gateway asks for a
   * permission applications do not hold, whatever the API's authorization (infra/constructs/http-api.ts).
   */
  operatorOnly?: boolean;
}

/** Identity, for type inference: the handler attached to the spec sees the `body` schema's type. */
export function defineSpec<B = undefined>(spec: RouteSpec<B>): RouteSpec<B> {
  return spec;
}

/**
 * What String.prototype.trim and JavaScript's `\\s` match (ECMAScript WhiteSpace and LineTerminator),
 * as a regex character class body for the document: other regex dialects' `\\s` differ.
 */
export const TRIMMED_WHITESPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * The rule for ids chosen by clients (orderId, trainingId, analysisId, jobId, modelId). Each is a
 * path segment of a route, where "." and ".." would be resolved away by clients and proxies
 * before the request arrives, so those two are refused.
 */
export const clientIdSchema = z
  .string({ error: 'must be a string' })
  .regex(/^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of letters, digits, ".", "_" or "-", and not "." or ".."');

/** Error body shared by every 4xx/5xx answer. */
export const errorSchema = z.object({
  error: z.string().describe('What went wrong, for a person'),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('Each invalid field, on 400'),
  requestId: z.string().optional().describe('When API Gateway answered itself (on AWS): the request id of its access log line'),
});

/** Standard error responses, so every route documents them the same way. */
export const errors = {
  400: { description: 'The body or a parameter is invalid; `errors` names each field and the rule it broke', schema: errorSchema },
  404: { description: 'No such resource', schema: errorSchema },
  409: { description: 'The id is already in use, or the action is not possible in the current state; `error` says why', schema: errorSchema },
  503: { description: 'The workflow service is unreachable; retry later', schema: errorSchema },
} satisfies Record<number, ResponseSpec>;

/**
 * The error responses of a workflow resource (api/workflow-calls.ts): its errors also name the id
 * they are about, and a 409 the workflow and, when it has closed, its Temporal status.
 */
export function resourceErrors(idField: string) {
  const schema = errorSchema.extend({
    [idField]: z.string().optional().describe('The id the error is about (404, 409)'),
    workflowId: z.string().optional().describe('On 409 for an id already in use: its workflow'),
    status: z.string().optional().describe('On 409 for a workflow that is not running: its Temporal status'),
  });
  return {
    400: { ...errors[400], description: `${errors[400].description}; also an invalid ${idField} in the path`, schema },
    404: { ...errors[404], schema },
    409: { ...errors[409], schema },
    503: { ...errors[503], schema },
  } satisfies Record<number, ResponseSpec>;
}

/**
 * The API's route table: each route names its method, path template, body schema and responses in
 * one place, so the router (handler.ts) and the OpenAPI document (openapi.ts) cannot disagree.
 *
 *   export const orderRoutes: Route[] = [
 *     defineRoute({
 *       method: 'POST', path: '/orders', summary: 'Start an order', tags: ['orders'],
 *       body: startOrderSchema,
 *       responses: { 202: { description: 'Accepted', schema: acceptedSchema }, 409: conflict },
 *       handle: async ({ body, event }) => ...,
 *     }),
 *   ];
 *
 * Path parameters ({orderId}) are one segment each, percent-decoded, and checked against
 * `params` (a zod schema per name) when given; a body is parsed and validated before `handle` runs,
 * so handlers only ever see valid input.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { HttpError, parseBody } from './http';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ResponseSpec {
  description: string;
  /** The JSON body's schema, for the OpenAPI document. */
  schema?: z.ZodType;
  /** Response headers worth documenting (Location on 202). */
  headers?: Record<string, string>;
}

export interface RouteContext<B> {
  event: APIGatewayProxyEvent;
  /** Path parameters, decoded and validated. */
  params: Record<string, string>;
  /** The validated body (undefined for routes without one). */
  body: B;
}

export interface Route<B = unknown> {
  method: HttpMethod;
  /** A path template such as `/orders/{orderId}/approval`. */
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Schemas for path parameters; a parameter without one only has to be non-empty. */
  params?: Record<string, z.ZodType<string>>;
  /** Query parameters, for the document only (the handler reads them). */
  query?: Record<string, { description: string; required?: boolean; schema: z.ZodType }>;
  body?: z.ZodType<B>;
  /** Headers the route reads, for the document (Idempotency-Key). */
  headers?: Record<string, { description: string; required?: boolean }>;
  responses: Record<number, ResponseSpec>;
  handle(ctx: RouteContext<B>): Promise<APIGatewayProxyResult>;
}

/** Identity, for type inference: the body type of `handle` comes from the `body` schema. */
export function defineRoute<B = undefined>(route: Route<B>): Route<unknown> {
  return route;
}

/** The rule for ids chosen by clients (orderId, trainingId, analysisId, jobId). */
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of letters, digits, ".", "_" or "-"');

/** Error body shared by every 4xx/5xx answer. */
export const errorSchema = z.object({
  error: z.string().describe('What went wrong, for a person'),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('Each invalid field, on 400'),
});

/** Standard error responses, so every route documents them the same way. */
export const errors = {
  400: { description: 'The body or a parameter is invalid; `errors` names each field and the rule it broke', schema: errorSchema },
  404: { description: 'No such resource', schema: errorSchema },
  409: { description: 'The id is already in use, or the action is not possible in the current state; `error` says why', schema: errorSchema },
  503: { description: 'The workflow service is unreachable; retry later', schema: errorSchema },
} satisfies Record<number, ResponseSpec>;

interface CompiledRoute {
  route: Route<unknown>;
  segments: Array<{ literal: string } | { param: string }>;
}

function compile(route: Route<unknown>): CompiledRoute {
  const segments = route.path
    .split('/')
    .filter(Boolean)
    .map((s) => (/^\{[A-Za-z0-9_]+\}$/.test(s) ? { param: s.slice(1, -1) } : { literal: s }));
  return { route, segments };
}

function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `path parameter ${name} is not valid percent-encoding`, { errors: [{ field: name, message: 'invalid percent-encoding' }] });
  }
}

/** A router over a route table: 404 for unknown paths, 405 (with Allow) for known paths and other methods. */
export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(readonly routes: Route<unknown>[]) {
    this.compiled = routes.map(compile);
    const seen = new Set<string>();
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) throw new Error(`route ${key} is defined twice`);
      seen.add(key);
    }
  }

  async dispatch(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const raw = event.path.split('/').filter(Boolean);
    const method = event.httpMethod.toUpperCase();
    const matches = this.compiled.filter((c) => c.segments.length === raw.length && c.segments.every((s, i) => !('literal' in s) || s.literal === raw[i]));
    if (matches.length === 0) throw new HttpError(404, `no route for ${method} ${event.path}`);
    // A literal segment beats a parameter (/trainings/{id}/checkpoints vs /trainings/{id}/{x}).
    const specificity = (c: CompiledRoute) => c.segments.filter((s) => 'literal' in s).length;
    const forMethod = matches.filter((c) => c.route.method === method).sort((a, b) => specificity(b) - specificity(a));
    const match = forMethod[0];
    if (!match) {
      const allowed = [...new Set(matches.map((c) => c.route.method))].sort();
      throw new HttpError(405, `${method} is not allowed on ${matches[0]!.route.path}; use ${allowed.join(' or ')}`, { allow: allowed });
    }
    const params: Record<string, string> = {};
    const invalid: Array<{ field: string; message: string }> = [];
    match.segments.forEach((s, i) => {
      if ('literal' in s) return;
      const value = decodeSegment(raw[i]!, s.param);
      const schema = match.route.params?.[s.param];
      const checked = schema ? schema.safeParse(value) : { success: value !== '', data: value, error: undefined };
      if (checked.success) params[s.param] = checked.data;
      else invalid.push({ field: s.param, message: checked.error?.issues[0]?.message ?? 'must not be empty' });
    });
    if (invalid.length > 0) throw new HttpError(400, `invalid path: ${invalid.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors: invalid });
    const body = match.route.body ? parseBody(event, match.route.body) : undefined;
    return match.route.handle({ event, params, body });
  }
}

/**
 * The router over the route table: each route is a spec (specs/, what it accepts and answers) with
 * a handler attached (what it does). Path parameters ({orderId}) are one segment each,
 * percent-decoded, and checked against the spec's `params` when given; a body is parsed and
 * validated against the spec's `body` before the handler runs, so handlers only ever see valid input.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HttpError, parseBody } from './http';
import type { RouteSpec } from './specs/route-spec';

export interface RouteContext<B> {
  event: APIGatewayProxyEvent;
  /** Path parameters, decoded and validated. */
  params: Record<string, string>;
  /** The validated body (undefined for routes without one). */
  body: B;
}

export type RouteHandler<B> = (ctx: RouteContext<B>) => Promise<APIGatewayProxyResult>;

export interface Route<B = unknown> extends RouteSpec<B> {
  handle(ctx: RouteContext<B>): Promise<APIGatewayProxyResult>;
}

/** A resource's specs, by name. */
export type Specs = Record<string, RouteSpec<unknown>>;

/** One handler per spec of a resource, each typed by its spec's body: a spec without one does not compile. */
export type Handlers<S extends Specs> = { [K in keyof S]: S[K] extends RouteSpec<infer B> ? RouteHandler<B> : never };

/** The routes of a route table (resource → specs) with the handlers of each resource, in the table's order. */
export function attach<T extends Record<string, Specs>>(table: T, handlers: { [R in keyof T]: Handlers<T[R]> }): Route[] {
  return Object.entries(table).flatMap(([resource, specs]) =>
    Object.entries(specs).map(([name, spec]) => {
      const handle = (handlers[resource] as Record<string, RouteHandler<unknown>> | undefined)?.[name];
      if (!handle) throw new Error(`route ${spec.method} ${spec.path} (${resource}.${name}) has no handler`);
      return { ...spec, handle };
    }),
  );
}

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

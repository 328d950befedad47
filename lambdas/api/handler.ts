import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { auditRouteDocs, routeAudit } from './audit';
import { HttpError, baseUrl, json } from './http';
import { codecRoutes } from './codec';
import { jobRoutes } from './jobs';
import { orderRoutes } from './orders';
import { trainingRoutes } from './trainings';
import { analysisRoutes } from './analyses';
import { openApiDocument } from './openapi';
import { Router, defineRoute, errors, type Route } from './routes';
import { temporalClient } from './temporal';

const API_VERSION = '0.1.0';

const serviceRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/health',
    summary: 'Whether the API can reach Temporal',
    tags: ['service'],
    responses: { 200: { description: 'Healthy', schema: z.object({ status: z.literal('ok') }) }, 503: errors[503] },
    handle: async () => {
      await (await temporalClient()).workflowService.getSystemInfo({});
      return json(200, { status: 'ok' });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document, generated from the schemas the API validates with',
    tags: ['service'],
    responses: { 200: { description: 'The document' } },
    handle: ({ event }) => Promise.resolve(json(200, openApiDocument(documentedRoutes, baseUrl(event), API_VERSION))),
  }),
];

/** Every route the API serves. A resource adds its `Route[]` here. */
const routes: Route[] = [
  ...serviceRoutes,
  ...jobRoutes,
  ...codecRoutes,
  ...orderRoutes,
  ...trainingRoutes,
  ...analysisRoutes,
];

const router = new Router(routes);
const documentedRoutes = [...routes, ...auditRouteDocs];

/**
 * The routes as API Gateway matches them (infra/constructs/http-api.ts makes a resource and method
 * of each, so anything else is refused at the edge): the router's table, and one greedy GET for
 * the audit routes, which parse their own path because a log id may arrive with its slashes decoded.
 */
export const gatewayRoutes: ReadonlyArray<Pick<Route, 'method' | 'path' | 'body' | 'headers' | 'query'>> = [
  ...routes,
  { method: 'GET', path: '/audit/{path+}' },
];

/** What a browser may send cross-origin; the API Gateway preflight (http-api.ts) answers with the same lists. */
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'OPTIONS'];
export const CORS_ALLOWED_HEADERS = ['content-type', 'idempotency-key', 'authorization', 'x-api-key', 'x-namespace'];
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * The API Gateway (REST, Lambda proxy) handler. Client mistakes are 4xx with a body that says what
 * was wrong; only our own faults are 5xx, and an unreachable Temporal is a 503 the client may retry.
 */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const res = await respond(event);
  return { ...res, headers: { ...res.headers, ...corsHeaders(event) } };
}

/**
 * CORS, for browsers calling the API from other origins (the Temporal UI calling the codec
 * endpoint, a web front end): CORS_ALLOWED_ORIGINS is a comma-separated list of origins, or `*`;
 * unset, no cross-origin access is granted.
 */
function corsHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const allowed = (process.env.CORS_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const origin = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'origin')?.[1];
  if (!origin || allowed.length === 0 || !(allowed.includes('*') || allowed.includes(origin))) return {};
  return {
    'access-control-allow-origin': allowed.includes('*') ? '*' : origin,
    'access-control-allow-methods': CORS_ALLOWED_METHODS.join(', '),
    'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    vary: 'Origin',
  };
}

async function respond(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (event.httpMethod.toUpperCase() === 'OPTIONS') return { statusCode: 204, headers: {}, body: '' };
  try {
    // The audit routes parse their own path: a log id may contain (encoded) slashes.
    if (/^\/*audit(\/|$)/.test(event.path)) return await routeAudit(event);
    return await router.dispatch(event);
  } catch (err) {
    if (err instanceof HttpError) {
      const allow = err.details?.allow;
      return json(err.statusCode, { error: err.message, ...err.details }, Array.isArray(allow) ? { allow: allow.join(', ') } : {});
    }
    const message = err instanceof Error ? err.message : String(err);
    if (/connect|UNAVAILABLE|ECONNREFUSED|deadline/i.test(message)) {
      console.error(JSON.stringify({ level: 'error', msg: 'Temporal unreachable', error: message }));
      return json(503, { error: 'the workflow service is unavailable; retry later' });
    }
    console.error(JSON.stringify({ level: 'error', msg: 'unhandled error', error: message, stack: (err as Error)?.stack }));
    return json(500, { error: 'internal error' });
  }
}

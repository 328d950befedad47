import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { analysisHandlers } from './analyses';
import { routeAudit } from './audit';
import { codecHandlers } from './codec';
import { HttpError, baseUrl, json } from './http';
import { jobHandlers } from './jobs';
import { openApiDocument } from './openapi';
import { orderHandlers } from './orders';
import { Router, attach, type Handlers } from './router';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECONDS, documentedSpecs, routeSpecs } from './specs/route-table';
import type { serviceSpecs } from './specs/service';
import { temporalClient } from '../runtime/temporal-client';
import { trainingHandlers } from './trainings';

const API_VERSION = '0.1.0';

const serviceHandlers: Handlers<typeof serviceSpecs> = {
  health: async () => {
    await (await temporalClient()).workflowService.getSystemInfo({});
    return json(200, { status: 'ok' });
  },
  openapi: ({ event }) => Promise.resolve(json(200, openApiDocument(documentedSpecs, baseUrl(event), API_VERSION))),
};

/** The route table (specs/route-table.ts) with each resource's handlers attached: a spec without a handler does not compile. */
const router = new Router(
  attach(routeSpecs, {
    service: serviceHandlers,
    jobs: jobHandlers,
    codec: codecHandlers,
    orders: orderHandlers,
    trainings: trainingHandlers,
    analyses: analysisHandlers,
  }),
);

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

/**
 * The API's route table as data: what infra/stacks/stepless-stack.ts reads to build the gateway,
 * and what handler.ts attaches handlers to. It imports only the specs, so the CDK app does not load
 * the Temporal client or the AWS SDK (test/unit/api-layering.test.ts holds it to that).
 */
import { analysisSpecs } from './analyses';
import { auditSpecs } from './audit';
import { codecSpecs } from './codec';
import { jobSpecs } from './jobs';
import { orderSpecs } from './orders';
import type { RouteSpec } from './route-spec';
import { serviceSpecs } from './service';
import { trainingSpecs } from './trainings';

/** Every route the router serves, by resource, in the OpenAPI document's order. A resource adds its specs here. */
export const routeSpecs = {
  service: serviceSpecs,
  jobs: jobSpecs,
  codec: codecSpecs,
  orders: orderSpecs,
  trainings: trainingSpecs,
  analyses: analysisSpecs,
};

const routed: RouteSpec[] = Object.values(routeSpecs).flatMap((specs) => Object.values<RouteSpec>(specs));

/** What GET /openapi.json describes: the routed specs, then the audit routes (which parse their own path). */
export const documentedSpecs: RouteSpec[] = [...routed, ...Object.values<RouteSpec>(auditSpecs)];

/**
 * The routes as API Gateway matches them (infra/constructs/http-api.ts makes a resource and method
 * of each, so anything else is refused at the edge): the router's table, and one greedy GET for
 * the audit routes, which parse their own path because a log id may arrive with its slashes decoded.
 */
export const gatewayRoutes: ReadonlyArray<Pick<RouteSpec, 'method' | 'path' | 'body' | 'headers' | 'query' | 'operatorOnly'>> = [...routed, { method: 'GET', path: '/audit/{path+}' }];

/** What a browser may send cross-origin; the API Gateway preflight (http-api.ts) answers with the same lists. */
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'OPTIONS'];
export const CORS_ALLOWED_HEADERS = ['content-type', 'idempotency-key', 'authorization', 'x-api-key', 'x-namespace'];
export const CORS_MAX_AGE_SECONDS = 600;

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { routeAudit } from './audit';
import { HttpError, json } from './http';
import { getJob, startJob } from './jobs';
import { temporalClient } from './temporal';

/**
 * The API Gateway (REST, Lambda proxy) handler. Client mistakes are 4xx with a body that says what
 * was wrong; only our own faults are 5xx, and an unreachable Temporal is a 503 the client may retry.
 */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  try {
    return await route(event);
  } catch (err) {
    if (err instanceof HttpError) return json(err.statusCode, { error: err.message, ...err.details });
    const message = err instanceof Error ? err.message : String(err);
    if (/connect|UNAVAILABLE|ECONNREFUSED|deadline/i.test(message)) {
      console.error(JSON.stringify({ level: 'error', msg: 'Temporal unreachable', error: message }));
      return json(503, { error: 'the workflow service is unavailable; retry later' });
    }
    console.error(JSON.stringify({ level: 'error', msg: 'unhandled error', error: message, stack: (err as Error)?.stack }));
    return json(500, { error: 'internal error' });
  }
}

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  // The audit routes parse their own path: a log id may contain (encoded) slashes.
  if (/^\/*audit(\/|$)/.test(event.path)) return routeAudit(event);
  const segments = event.path.split('/').filter(Boolean).map(decodeURIComponent);
  const method = event.httpMethod.toUpperCase();
  const [resource, id, extra] = segments;

  if (resource === 'health' && segments.length === 1 && method === 'GET') {
    await (await temporalClient()).workflowService.getSystemInfo({});
    return json(200, { status: 'ok' });
  }
  if (resource === 'jobs' && id === undefined) {
    if (method === 'POST') return startJob(event);
    throw new HttpError(405, `${method} is not allowed on /jobs; use POST`);
  }
  if (resource === 'jobs' && id !== undefined && extra === undefined) {
    if (method === 'GET') return getJob(id);
    throw new HttpError(405, `${method} is not allowed on /jobs/{jobId}; use GET`);
  }
  throw new HttpError(404, `no route for ${method} ${event.path}`);
}

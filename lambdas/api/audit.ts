/**
 * GET /audit/{logId}[/proof|/consistency]: the audit log over HTTP (hashes in lowercase hex).
 *
 * The log id (a workflow id) is one path segment, percent-encoded as encodeURIComponent does, so
 * `orders/42` is `/audit/orders%2F42`. If a gateway hands us the path with `%2F` already decoded,
 * the id is what lies between `/audit/` and an optional final `/proof` or `/consistency`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AuditLogCorruptError,
  AuditLogNotFoundError,
  AuditLogStore,
  AuditRequestError,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  consistencyProof,
  inclusionProof,
  readLogPage,
} from '../../runtime/audit/log';
import { z } from 'zod';
import { HttpError, json } from './http';
import { defineRoute, errors, type Route } from './routes';

const ACTIONS = ['proof', 'consistency'] as const;
type Action = 'log' | (typeof ACTIONS)[number];

let cachedStore: AuditLogStore | undefined;
function store(): AuditLogStore {
  const table = process.env.AUDIT_TABLE;
  if (!table) throw new HttpError(503, 'the audit log is not configured on this API (AUDIT_TABLE is unset)');
  cachedStore ??= new AuditLogStore(new DynamoDBClient({}), table);
  return cachedStore;
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `the log id in the path is not valid percent-encoding: ${JSON.stringify(segment)}`, { parameter: 'logId' });
  }
};

/** The log id and action of an `/audit/...` path (the path as API Gateway passes it, stage excluded). */
export function parseAuditPath(path: string): { logId: string; action: Action } {
  const match = /^\/*audit\/(.+?)\/?$/.exec(path);
  if (!match) throw new HttpError(404, 'want /audit/{logId}, /audit/{logId}/proof or /audit/{logId}/consistency');
  const segments = (match[1] as string).split('/');
  const last = segments.at(-1) as string;
  const action: Action = segments.length > 1 && (ACTIONS as readonly string[]).includes(last) ? (last as Action) : 'log';
  const idSegments = action === 'log' ? segments : segments.slice(0, -1);
  const logId = idSegments.map(decode).join('/');
  if (logId === '') throw new HttpError(404, 'the log id is empty');
  return { logId, action };
}

/** A non-negative integer query parameter; a 400 names the parameter and the rule. */
function intParam(event: APIGatewayProxyEvent, name: string, opts: { min?: number; max?: number; required?: boolean } = {}): number | undefined {
  const raw = event.queryStringParameters?.[name];
  if (raw === undefined || raw === null || raw === '') {
    if (opts.required) throw new HttpError(400, `query parameter ${name} is required`, { parameter: name });
    return undefined;
  }
  const min = opts.min ?? 0;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || (opts.max !== undefined && value > opts.max)) {
    const range = opts.max !== undefined ? `from ${min} to ${opts.max}` : `>= ${min}`;
    throw new HttpError(400, `query parameter ${name} must be an integer ${range}, got ${JSON.stringify(raw)}`, { parameter: name });
  }
  return value;
}

export async function routeAudit(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (event.httpMethod.toUpperCase() !== 'GET') throw new HttpError(405, `${event.httpMethod} is not allowed on /audit; use GET`);
  const { logId, action } = parseAuditPath(event.path);
  try {
    if (action === 'log') {
      const from = intParam(event, 'from') ?? 0;
      const limit = intParam(event, 'limit', { min: 1, max: MAX_PAGE_LIMIT }) ?? DEFAULT_PAGE_LIMIT;
      return json(200, await readLogPage(store(), logId, from, limit));
    }
    if (action === 'proof') {
      const index = intParam(event, 'index', { required: true }) as number;
      const treeSize = intParam(event, 'treeSize', { min: 1 });
      return json(200, await inclusionProof(store(), logId, index, treeSize));
    }
    const from = intParam(event, 'from', { required: true }) as number;
    const to = intParam(event, 'to');
    return json(200, await consistencyProof(store(), logId, from, to));
  } catch (err) {
    if (err instanceof AuditLogNotFoundError) throw new HttpError(404, err.message, { logId });
    if (err instanceof AuditRequestError) throw new HttpError(400, err.message, { parameter: err.parameter });
    if (err instanceof AuditLogCorruptError) {
      console.error(JSON.stringify({ level: 'error', msg: 'audit log damaged', logId, error: err.message }));
      throw new HttpError(500, `the audit log is damaged: ${err.message}`, { logId });
    }
    throw err;
  }
}

const logIdParam = { logId: z.string().min(1).describe('The log id (a workflow id), percent-encoded as one segment: global/checkpoints is global%2Fcheckpoints') };
const nonNegative = z.string().regex(/^\d+$/);

/**
 * The audit routes, for the OpenAPI document. Requests reach `routeAudit` directly (see handler.ts),
 * because a log id may arrive with its slashes decoded.
 */
export const auditRouteDocs: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/audit/{logId}',
    summary: 'A page of an audit log: events, leaf hashes, and the signed tree head',
    tags: ['audit'],
    params: logIdParam,
    query: {
      from: { description: 'First leaf index (default 0)', schema: nonNegative },
      limit: { description: `Leaves per page, 1-${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`, schema: nonNegative },
    },
    responses: { 200: { description: 'The page' }, 400: errors[400], 404: errors[404] },
    handle: ({ event }) => routeAudit(event),
  }),
  defineRoute({
    method: 'GET',
    path: '/audit/{logId}/proof',
    summary: 'An RFC 6962 inclusion proof of one leaf',
    tags: ['audit'],
    params: logIdParam,
    query: {
      index: { description: 'The leaf index', required: true, schema: nonNegative },
      treeSize: { description: 'The tree size to prove against (default: the current one)', schema: nonNegative },
    },
    responses: { 200: { description: 'The proof' }, 400: errors[400], 404: errors[404] },
    handle: ({ event }) => routeAudit(event),
  }),
  defineRoute({
    method: 'GET',
    path: '/audit/{logId}/consistency',
    summary: 'An RFC 6962 consistency proof between two tree sizes',
    tags: ['audit'],
    params: logIdParam,
    query: {
      from: { description: 'The older tree size', required: true, schema: nonNegative },
      to: { description: 'The newer tree size (default: the current one)', schema: nonNegative },
    },
    responses: { 200: { description: 'The proof' }, 400: errors[400], 404: errors[404] },
    handle: ({ event }) => routeAudit(event),
  }),
];

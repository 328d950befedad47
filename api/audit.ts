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
} from '../runtime/audit/log';
import { HttpError, json } from './http';

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

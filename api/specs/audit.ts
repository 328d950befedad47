import { z } from 'zod';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../../runtime/audit/log/types';
import { defineSpec, errorSchema } from './route-spec';

const logIdParam = { logId: z.string().min(1).describe('The log id (a workflow id), percent-encoded as one segment: global/checkpoints is global%2Fcheckpoints') };
/** An integer query parameter as api/audit.ts intParam reads it: digits only, a safe integer, within the route's range. */
const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.int().min(min).max(max);

/** The audit routes' errors (api/audit.ts) name the parameter at fault (400) or the log (404, 500). */
const auditErrorSchema = errorSchema.extend({
  parameter: z.string().optional().describe('On 400: the query parameter (or logId) that is invalid'),
  logId: z.string().optional().describe('On 404 and 500: the log'),
});
const auditErrors = {
  400: { description: 'A query parameter or the log id is invalid; `parameter` names it and `error` the rule', schema: auditErrorSchema },
  404: { description: 'No such audit log', schema: auditErrorSchema },
  500: { description: 'The stored log fails its own verification (damaged); `error` says where', schema: auditErrorSchema },
  503: { description: 'The audit log is not configured on this deployment', schema: auditErrorSchema },
};

/**
 * The audit routes, for the OpenAPI document. Requests reach `routeAudit` (api/audit.ts) directly,
 * not through the router, because a log id may arrive with its slashes decoded.
 */
export const auditSpecs = {
  log: defineSpec({
    method: 'GET',
    path: '/audit/{logId}',
    summary: 'A page of an audit log: events, leaf hashes, and the signed tree head',
    tags: ['audit'],
    params: logIdParam,
    query: {
      from: { description: 'First leaf index (default 0)', schema: integer(0) },
      limit: { description: `Leaves per page, 1-${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`, schema: integer(1, MAX_PAGE_LIMIT) },
    },
    responses: { 200: { description: 'The page' }, ...auditErrors },
  }),
  proof: defineSpec({
    method: 'GET',
    path: '/audit/{logId}/proof',
    summary: 'An RFC 6962 inclusion proof of one leaf',
    tags: ['audit'],
    params: logIdParam,
    query: {
      index: { description: 'The leaf index, below treeSize', required: true, schema: integer(0) },
      treeSize: { description: 'The tree size to prove against (default: the current one)', schema: integer(1) },
    },
    responses: { 200: { description: 'The proof' }, ...auditErrors },
  }),
  consistency: defineSpec({
    method: 'GET',
    path: '/audit/{logId}/consistency',
    summary: 'An RFC 6962 consistency proof between two tree sizes',
    tags: ['audit'],
    params: logIdParam,
    query: {
      from: { description: 'The older tree size, at most to', required: true, schema: integer(0) },
      to: { description: 'The newer tree size (default: the current one)', schema: integer(0) },
    },
    responses: { 200: { description: 'The proof' }, ...auditErrors },
  }),
};

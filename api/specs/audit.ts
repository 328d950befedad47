import { z } from 'zod';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../../runtime/audit/log/types';
import { defineSpec, errors } from './route-spec';

const logIdParam = { logId: z.string().min(1).describe('The log id (a workflow id), percent-encoded as one segment: global/checkpoints is global%2Fcheckpoints') };
const nonNegative = z.string().regex(/^\d+$/);

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
      from: { description: 'First leaf index (default 0)', schema: nonNegative },
      limit: { description: `Leaves per page, 1-${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`, schema: nonNegative },
    },
    responses: { 200: { description: 'The page' }, 400: errors[400], 404: errors[404] },
  }),
  proof: defineSpec({
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
  }),
  consistency: defineSpec({
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
  }),
};

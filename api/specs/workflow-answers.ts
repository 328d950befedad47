/**
 * What the workflow operations answer and read, shared by every workflow resource (jobs, orders,
 * trainings, analyses); api/workflow-calls.ts gives them their HTTP semantics.
 */
import { z } from 'zod';

/** What a start answers (202), with the fields a resource adds (`extra`, as its handler does). */
export const acceptedSchema = (idField: string, extra: z.ZodRawShape = {}) =>
  z.object({
    [idField]: z.string(),
    workflowId: z.string(),
    status: z.literal('RUNNING'),
    statusUrl: z.string().describe('GET this for the status; also in the Location header'),
    ...extra,
  });

/** What a status GET answers (200). */
export const statusSchema = (idField: string, state: z.ZodType = z.unknown()) =>
  z.object({
    [idField]: z.string(),
    workflowId: z.string(),
    status: z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT', 'UNSPECIFIED', 'UNKNOWN']),
    state: state.optional().describe("The workflow's own view (its state query); absent if it could not be read"),
    result: z.unknown().optional().describe('Once COMPLETED'),
    error: z.object({ type: z.string().optional(), message: z.string().optional() }).optional().describe('Once FAILED, TERMINATED, CANCELLED or TIMED_OUT'),
  });

export const idempotencyKeyHeader = {
  'Idempotency-Key': {
    description: 'Identifies this request; a repeat with the same key changes nothing and is answered with duplicate: true. Default: a digest of the body.',
    // api/workflow-calls.ts requestIdOf answers 400 otherwise.
    schema: z.string().regex(/^[\x21-\x7e]{1,128}$/, 'must be 1-128 printable ASCII characters'),
  },
};

import { z } from 'zod';
import { clientIdSchema, defineSpec, resourceErrors } from './route-spec';
import { acceptedSchema, statusSchema } from './workflow-answers';

const MAX_TEXT_BYTES = 1024 * 1024;

export const startJobSchema = z.strictObject({
  text: z
    .string()
    .min(1, 'must be a non-empty string')
    .refine((t) => Buffer.byteLength(t) <= MAX_TEXT_BYTES, `must be at most ${MAX_TEXT_BYTES} bytes of UTF-8`)
    .describe('The text to analyse (at most 1 MiB of UTF-8)'),
  jobId: clientIdSchema.optional().describe('Your id for the job; default a UUID. Reusing one answers 409.'),
});

const errors = resourceErrors('jobId');

/** The walking skeleton: word statistics of a text, in one Lambda step (workflows/text-stats-job.ts). */
export const jobSpecs = {
  start: defineSpec({
    method: 'POST',
    path: '/jobs',
    summary: 'Start a text-statistics job',
    tags: ['jobs'],
    body: startJobSchema,
    responses: { 202: { description: 'Started', schema: acceptedSchema('jobId'), headers: { Location: 'The status URL' } }, 400: errors[400], 409: errors[409], 503: errors[503] },
  }),
  status: defineSpec({
    method: 'GET',
    path: '/jobs/{jobId}',
    summary: "A job's status, and its result once completed",
    tags: ['jobs'],
    params: { jobId: clientIdSchema },
    responses: { 200: { description: 'The status', schema: statusSchema('jobId') }, 400: errors[400], 404: errors[404], 503: errors[503] },
  }),
};

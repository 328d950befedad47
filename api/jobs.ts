import { randomUUID } from 'node:crypto';
import type { Handlers } from './router';
import type { jobSpecs } from './specs/jobs';
import { startWorkflow, workflowStatus, type ResourceKind } from './workflow-calls';

const job: ResourceKind = { noun: 'job', workflowIdPrefix: 'text-stats', idField: 'jobId', collection: '/jobs' };

/** What the job routes (specs/jobs.ts) do: start and read the text-statistics workflow. */
export const jobHandlers: Handlers<typeof jobSpecs> = {
  start: ({ event, body }) => {
    const jobId = body.jobId ?? randomUUID();
    return startWorkflow(event, job, { id: jobId, workflowType: 'textStatsJob', args: [{ jobId, text: body.text }] });
  },
  status: ({ params }) => workflowStatus(job, params.jobId!),
};

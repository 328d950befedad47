import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../../workflows/names';
import type { textStatsJob } from '../../workflows/text-stats-job';
import { HttpError, baseUrl, json, parseBody } from './http';
import { temporalClient } from './temporal';

const MAX_TEXT_BYTES = 1024 * 1024;

export const startJobSchema = z.strictObject({
  text: z.string().min(1, 'must be a non-empty string').refine((t) => Buffer.byteLength(t) <= MAX_TEXT_BYTES, `must be at most ${MAX_TEXT_BYTES} bytes of UTF-8`),
  jobId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of letters, digits, ".", "_" or "-"').optional(),
});

const workflowIdOf = (jobId: string): string => `text-stats-${jobId}`;

/** POST /jobs: start a text-stats workflow; 202 with where to look, 409 if the id is taken. */
export async function startJob(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const body = parseBody(event, startJobSchema);
  const jobId = body.jobId ?? randomUUID();
  const workflowId = workflowIdOf(jobId);
  const client = await temporalClient();
  try {
    await client.workflow.start<typeof textStatsJob>('textStatsJob', {
      taskQueue: process.env.TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
      workflowId,
      args: [{ jobId, text: body.text }],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new HttpError(409, `a job with id "${jobId}" already exists`, { jobId, workflowId });
    }
    throw err;
  }
  const statusUrl = `${baseUrl(event)}/jobs/${encodeURIComponent(jobId)}`;
  return json(202, { jobId, workflowId, status: 'RUNNING', statusUrl }, { location: statusUrl });
}

/** GET /jobs/{jobId}: the workflow's status, and its result or failure once it has one. */
export async function getJob(jobId: string): Promise<APIGatewayProxyResult> {
  const workflowId = workflowIdOf(jobId);
  const handle = (await temporalClient()).workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no job with id "${jobId}"`, { jobId });
    throw err;
  }
  if (status === 'COMPLETED') return json(200, { jobId, workflowId, status, result: (await handle.result()) as unknown });
  if (status === 'RUNNING') return json(200, { jobId, workflowId, status });
  try {
    await handle.result();
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : err;
    return json(200, { jobId, workflowId, status, error: { type: (cause as { type?: string })?.type ?? (cause as Error)?.name, message: (cause as Error)?.message } });
  }
  return json(200, { jobId, workflowId, status });
}

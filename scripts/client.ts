import type { TextStatsResult } from '../lambdas/text-stats/steps';
import { apiCall, pollUntil } from './api-client';

/** The jobs API (the walking skeleton), for `npm start` and the end-to-end tests. */
export interface JobAccepted {
  jobId: string;
  workflowId: string;
  statusUrl: string;
}

export interface JobStatus {
  jobId: string;
  workflowId: string;
  status: string;
  result?: TextStatsResult;
  error?: { type?: string; message?: string };
}

export async function startJob(apiUrl: string, body: { text: string; jobId?: string }): Promise<JobAccepted> {
  const res = await apiCall<JobAccepted>(apiUrl, 'POST', 'jobs', body);
  if (res.status !== 202) throw new Error(`POST ${apiUrl}jobs answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls a job's status URL until the workflow is no longer running. */
export function pollJob(statusUrl: string, opts: { timeoutMs: number }): Promise<JobStatus> {
  return pollUntil<JobStatus>(statusUrl, '', (s) => s.status !== 'RUNNING', { timeoutMs: opts.timeoutMs });
}

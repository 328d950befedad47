import { setTimeout as sleep } from 'node:timers/promises';
import type { TextStatsResult } from '../lambdas/text-stats/contract';

/** A small HTTP client for the jobs API, shared by `npm start` and the end-to-end tests. */
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
  const res = await fetch(new URL('jobs', apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`POST ${apiUrl}jobs answered ${res.status}: ${text}`);
  return JSON.parse(text) as JobAccepted;
}

/** Polls a job's status URL until the workflow is no longer running. */
export async function pollJob(statusUrl: string, opts: { timeoutMs: number }): Promise<JobStatus> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const res = await fetch(statusUrl);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${statusUrl} answered ${res.status}: ${text}`);
    const status = JSON.parse(text) as JobStatus;
    if (status.status !== 'RUNNING') return status;
    if (Date.now() > deadline) throw new Error(`job ${status.jobId} still running after ${opts.timeoutMs / 1000} s`);
    await sleep(500);
  }
}

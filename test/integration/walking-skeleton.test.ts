import { createHash, randomUUID } from 'node:crypto';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { workerLogGroup } from '../../infra/local/config';
import { pollJob, startJob } from '../../scripts/client';
import { dynamo, logs, s3, stack, temporalClient } from '../support/stack';

/**
 * One request end to end, over HTTP: API Gateway → API Lambda → Temporal → worker → text-stats
 * Lambda → S3 + DynamoDB, then the status URL. Every hop is the real local service.
 */
describe('walking skeleton: POST /jobs through the whole stack', () => {
  const text = 'The quick brown fox jumps over the lazy dog.\nThe dog sleeps; the fox runs.';
  const jobId = `e2e-${randomUUID()}`;
  let accepted: Awaited<ReturnType<typeof startJob>>;

  beforeAll(async () => {
    accepted = await startJob(stack().ApiUrl, { text, jobId });
  });

  it('answers 202 with the job id, the workflow id and a status URL under the API', () => {
    expect(accepted.jobId).toBe(jobId);
    expect(accepted.workflowId).toBe(`text-stats-${jobId}`);
    expect(accepted.statusUrl).toBe(`${stack().ApiUrl}jobs/${jobId}`);
  });

  it('completes, and the status URL returns the computed statistics', async () => {
    const done = await pollJob(accepted.statusUrl, { timeoutMs: 90000 });
    expect(done.status).toBe('COMPLETED');
    expect(done.result).toMatchObject({
      jobId,
      words: 15,
      lines: 2,
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    expect(done.result?.topWords.slice(0, 3)).toEqual([
      { word: 'the', count: 4 },
      { word: 'dog', count: 2 },
      { word: 'fox', count: 2 },
    ]);
  });

  it('returns the same result from Temporal itself', async () => {
    const { client, close } = await temporalClient();
    try {
      const result = await client.workflow.getHandle(accepted.workflowId).result();
      expect(result).toMatchObject({ jobId, words: 15 });
    } finally {
      await close();
    }
  });

  it('wrote the report to S3', async () => {
    const obj = await s3().send(new GetObjectCommand({ Bucket: stack().DataBucketName, Key: `reports/${jobId}.json` }));
    const report = JSON.parse(await obj.Body!.transformToString()) as unknown;
    expect(report).toMatchObject({ jobId, words: 15, distinctWords: 10 });
  });

  it('wrote the summary item to DynamoDB', async () => {
    const { Item } = await dynamo().send(new GetCommand({ TableName: stack().JobsTableName, Key: { jobId } }));
    expect(Item).toMatchObject({
      jobId,
      workflowId: accepted.workflowId,
      words: 15,
      reportKey: `reports/${jobId}.json`,
      sha256: createHash('sha256').update(text).digest('hex'),
    });
  });

  it("put the function's structured log lines, with the workflow id, in CloudWatch Logs", async () => {
    const deadline = Date.now() + 30000;
    let messages: string[] = [];
    while (Date.now() < deadline) {
      const res = await logs().send(new FilterLogEventsCommand({ logGroupName: stack().TextStatsLogGroup }));
      messages = (res.events ?? []).map((e) => e.message ?? '').filter((m) => m.includes(jobId));
      if (messages.some((m) => m.includes('text-stats finished'))) break;
      await sleep(1000);
    }
    const finished = messages.map((m) => m.slice(m.indexOf('{'))).find((m) => m.includes('text-stats finished'));
    expect(finished).toBeDefined();
    // Powertools Logger's line: the workflow id as correlation id and as a key of its own, the step named.
    expect(JSON.parse(finished!) as unknown).toMatchObject({ message: 'text-stats finished', correlation_id: accepted.workflowId, workflowId: accepted.workflowId, step: 'computeTextStats', service: 'textStats', jobId, words: 15 });
  });
});

describe("the worker's log reaches CloudWatch Logs, where `npm run logs` reads it with the functions' logs", () => {
  it('has the workflow and activity lines of a job, with its workflow id', async () => {
    const { workflowId } = await startJob(stack().ApiUrl, { text: 'log lines please' });
    const deadline = Date.now() + 30000;
    let messages: string[] = [];
    while (Date.now() < deadline) {
      const res = await logs().send(new FilterLogEventsCommand({ logGroupName: workerLogGroup, startTime: Date.now() - 120000 }));
      messages = (res.events ?? []).map((e) => e.message ?? '').filter((m) => m.includes(workflowId));
      if (messages.some((m) => m.includes('text-stats job finished'))) break;
      await sleep(1000);
    }
    const msgs = messages.map((m) => (JSON.parse(m) as { msg: string }).msg);
    expect(msgs).toEqual(expect.arrayContaining(['text-stats job started', 'invoking Lambda function', 'Lambda function returned', 'text-stats job finished']));
    expect(messages.some((m) => m.includes('taskToken'))).toBe(false);
  });
});

describe('the API answers client mistakes with 4xx and a body that names the problem', () => {
  const post = (body: string) =>
    fetch(new URL('jobs', stack().ApiUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('400 for malformed JSON', async () => {
    const res = await post('{"text": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ field: '(body)' }] });
  });

  it('400 naming a missing field', async () => {
    const res = await post('{}');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ field: string }> };
    expect(body.errors.map((e) => e.field)).toEqual(['text']);
  });

  it('400 naming an invalid id and an unknown field', async () => {
    const res = await post(JSON.stringify({ text: 'x', jobId: 'no spaces allowed', colour: 'red' }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ field: string }> };
    expect(body.errors.map((e) => e.field).sort()).toEqual(['colour', 'jobId']);
  });

  it('404 for an unknown job id', async () => {
    const res = await fetch(new URL(`jobs/does-not-exist-${randomUUID()}`, stack().ApiUrl));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('no job with id') });
  });

  it('409 for a job id already in use, and no second workflow', async () => {
    const jobId = `dup-${randomUUID()}`;
    await startJob(stack().ApiUrl, { text: 'once', jobId });
    const res = await post(JSON.stringify({ text: 'twice', jobId }));
    expect(res.status).toBe(409);
    const done = await pollJob(`${stack().ApiUrl}jobs/${jobId}`, { timeoutMs: 60000 });
    expect(done.result?.words).toBe(1);
  });
});

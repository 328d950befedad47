import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { localAwsClientConfig } from '../../infra/local/config';
import { workflowIdFor } from '../../runtime/triggers/mapping';
import { logs, s3, stack, temporalClient } from '../support/stack';

/**
 * The triggers of the deployed stack (infra/constructs/triggers/stack-triggers.ts) on the real local
 * services: S3 → EventBridge → SQS → trigger function → Temporal → the text-stats workflow.
 */
interface TriggerResources { queue: string; deadLetterQueue: string; function: string }
const trigger = (name: string): TriggerResources => {
  const all = JSON.parse(stack().TriggerQueues ?? '{}') as Record<string, TriggerResources>;
  const found = all[name];
  if (!found) throw new Error(`the stack has no trigger ${name}: redeploy it (npm start)`);
  // The URLs name LocalStack's host name; the client reaches it on the configured endpoint either way.
  return found;
};
const sqs = new SQSClient(localAwsClientConfig);
const eventBridge = new EventBridgeClient(localAwsClientConfig);
const runId = randomUUID().slice(0, 8);

let temporal: { client: Client; close: () => Promise<void> };
beforeAll(async () => {
  temporal = await temporalClient();
});
afterAll(async () => {
  await temporal.close();
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

/** The workflow's first run id, or undefined while there is none. */
async function started(workflowId: string): Promise<string | undefined> {
  try {
    return (await temporal.client.workflow.getHandle(workflowId).describe()).runId;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

async function executionsOf(workflowId: string): Promise<number> {
  let count = 0;
  for await (const _ of temporal.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) count++;
  return count;
}

/** The trigger function's JSON log lines about `workflowId` (the executor ships them to CloudWatch Logs). */
async function functionLog(fn: string, workflowId: string): Promise<Array<Record<string, unknown>>> {
  const lines: Array<Record<string, unknown>> = [];
  let nextToken: string | undefined;
  do {
    // Filtered here rather than by a filter pattern, which LocalStack's CloudWatch Logs does not apply to quoted terms.
    const res = await logs().send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, ...(nextToken ? { nextToken } : {}) }));
    for (const e of res.events ?? []) {
      const text = e.message ?? '';
      if (!text.includes(workflowId)) continue;
      try {
        const line = JSON.parse(text.slice(text.indexOf('{'))) as Record<string, unknown>;
        if (line.workflowId === workflowId) lines.push(line);
      } catch {
        // Not one of the function's JSON lines.
      }
    }
    nextToken = res.nextToken;
  } while (nextToken);
  return lines;
}

async function putEvents(entries: PutEventsRequestEntry[]): Promise<void> {
  const res = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
  expect(res.FailedEntryCount ?? 0).toBe(0);
}

describe('an S3 upload to the inbox', () => {
  it('starts exactly one workflow, even when its notification is delivered twice', async () => {
    const bucket = stack().InboxBucketName!;
    const key = `incoming/${runId}-report.txt`;
    const put = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'quarterly numbers' }));
    expect(put.VersionId).toBeTruthy();
    const workflowId = workflowIdFor('inbox', `${bucket}/${key}@${put.VersionId!}`);
    const runId1 = await waitFor(`the workflow ${workflowId}`, () => started(workflowId));

    // The same notification again, as S3 would redeliver it (EventBridge gives it a new event id).
    const detail = { version: '0', bucket: { name: bucket }, object: { key, size: 17, sequencer: '0062E99A88DC407460', 'version-id': put.VersionId }, reason: 'PutObject' };
    await putEvents([{ Source: 'aws.s3', DetailType: 'Object Created', Resources: [`arn:aws:s3:::${bucket}`], Detail: JSON.stringify(detail) }]);
    const fn = trigger('inbox').function;
    const outcomes = await waitFor('both deliveries in the trigger log', async () => {
      const lines = (await functionLog(fn, workflowId)).filter((l) => l.msg === 'event dispatched');
      return lines.length >= 2 ? lines.map((l) => l.outcome) : undefined;
    });
    expect(outcomes.sort()).toEqual(['duplicate', 'started']);
    expect(await executionsOf(workflowId)).toBe(1);
    const result = await temporal.client.workflow.getHandle(workflowId, runId1).result();
    expect(result).toMatchObject({ jobId: `inbox-${put.VersionId!}` });
  });
});

describe('the workflow-requests queue', () => {
  const dlq = () => trigger('workflow-requests').deadLetterQueue;

  /** Reads the dead-letter queue until the messages whose body contains `marker` are found; deletes them. */
  async function deadLettered(marker: string, count: number): Promise<Message[]> {
    const found: Message[] = [];
    await waitFor(`${count} dead-lettered messages`, async () => {
      const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq(), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], VisibilityTimeout: 30 }));
      for (const m of res.Messages ?? []) {
        if (!m.Body?.includes(marker)) continue;
        found.push(m);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq(), ReceiptHandle: m.ReceiptHandle! }));
      }
      return found.length >= count ? found : undefined;
    });
    return found;
  }

  it('sends a poison message to the dead-letter queue with its reason, and processes the next one', async () => {
    const queue = trigger('workflow-requests').queue;
    const send = (body: unknown) => sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: JSON.stringify(body), MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } } }));
    const poison = { workflow: 'textStatsJob', requestId: `poison-${runId}` };
    const unknown = { workflow: 'dropTables', requestId: `unknown-${runId}`, input: {} };
    const good = { workflow: 'textStatsJob', requestId: `good-${runId}`, input: { jobId: `queue-${runId}`, text: 'one two two' } };
    await send(poison);
    await send(unknown);
    await send(good);

    const result = await waitFor('the good message\'s workflow', () => started(`workflow-requests-good-${runId}`)).then(() => temporal.client.workflow.getHandle(`workflow-requests-good-${runId}`).result());
    expect(result).toMatchObject({ jobId: `queue-${runId}`, words: 3 });

    const messages = await deadLettered(runId, 2);
    const byRequest = Object.fromEntries(messages.map((m) => [(JSON.parse(m.Body!) as { requestId: string }).requestId, m]));
    const attrs = (m: Message | undefined) => Object.fromEntries(Object.entries(m?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attrs(byRequest[poison.requestId])).toMatchObject({
      'stepless.trigger': 'workflow-requests',
      'stepless.reason': 'MAPPING_FAILED',
      'stepless.error': expect.stringContaining('the message has no input field'),
      'stepless.source-message-id': expect.any(String),
      'stepless.original-attributes': JSON.stringify({ origin: 'test' }),
    });
    expect(JSON.parse(byRequest[poison.requestId]!.Body!)).toEqual(poison);
    expect(attrs(byRequest[unknown.requestId])).toMatchObject({ 'stepless.reason': 'UNKNOWN_WORKFLOW', 'stepless.error': expect.stringContaining('"dropTables"') });
    // Neither started anything.
    expect(await started(`workflow-requests-poison-${runId}`)).toBeUndefined();
    expect(await started(`workflow-requests-unknown-${runId}`)).toBeUndefined();
  });
});

describe('a burst on the stack\'s event bus', () => {
  it('starts one workflow for each of 100 events, none lost', async () => {
    const bus = stack().EventBusName!;
    const jobIds = Array.from({ length: 100 }, (_, i) => `burst-${runId}-${i}`);
    for (let i = 0; i < jobIds.length; i += 10) {
      await putEvents(jobIds.slice(i, i + 10).map((jobId) => ({ EventBusName: bus, Source: 'stepless.jobs', DetailType: 'Text Stats Requested', Detail: JSON.stringify({ jobId, text: `burst event ${jobId}` }) })));
    }
    const missing = await waitFor('all 100 workflows', async () => {
      const absent = (await Promise.all(jobIds.map(async (id) => ((await started(`text-stats-requested-${id}`)) ? undefined : id)))).filter(Boolean);
      return absent.length === 0 ? absent : undefined;
    }, 150000);
    expect(missing).toEqual([]);
    const counts = await Promise.all(jobIds.slice(0, 10).map((id) => executionsOf(`text-stats-requested-${id}`)));
    expect(counts).toEqual(Array(10).fill(1));
  }, 240000);
});

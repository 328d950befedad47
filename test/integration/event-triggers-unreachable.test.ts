import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { localAwsClientConfig, localAwsEnv } from '../../infra/local/config';
import { freePort } from '../../infra/local/processes';
import { TRIGGER_SPEC_ENV, type TriggerSpec } from '../../runtime/triggers/spec';
import { stack } from '../support/stack';

/**
 * The trigger function when Temporal cannot be reached: it runs here, in the test's process, with
 * TEMPORAL_ADDRESS on a port nothing listens on, and the real dead-letter queue in LocalStack. The
 * message it could not start is handed back to SQS (a batch item failure), never dead-lettered or
 * dropped; the unprocessable one in the same batch still goes to the dead-letter queue.
 */
describe('a trigger when Temporal is unreachable', () => {
  const spec: TriggerSpec = { name: 'workflow-requests', workflow: { from: 'workflow' }, key: 'requestId', input: '$exists(input) ? input : $error("the message has no input field")' };
  const deadLetterQueue = (JSON.parse(stack().TriggerQueues!) as Record<string, { deadLetterQueue: string }>)['workflow-requests']!.deadLetterQueue;
  const sqs = new SQSClient(localAwsClientConfig);
  const saved = { ...process.env };
  let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;

  beforeAll(async () => {
    Object.assign(process.env, localAwsEnv, { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, DEAD_LETTER_QUEUE_URL: deadLetterQueue, [TRIGGER_SPEC_ENV]: JSON.stringify(spec) });
    jest.isolateModules(() => {
      ({ handler } = jest.requireActual<{ handler: typeof handler }>('../../lambdas/trigger/handler'));
    });
  });
  afterAll(() => {
    process.env = saved;
  });

  const record = (messageId: string, body: unknown): SQSRecord => ({
    messageId,
    receiptHandle: 'unused',
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
    awsRegion: 'us-east-1',
  });

  it('hands the message back to SQS for a retry, and still dead-letters the unprocessable one', async () => {
    const id = randomUUID();
    const good = record(`good-${id}`, { workflow: 'textStatsJob', requestId: `unreachable-${id}`, input: { jobId: id, text: 'a b' } });
    const poison = record(`poison-${id}`, { workflow: 'textStatsJob', requestId: `unreachable-poison-${id}` });
    const answer = await handler({ Records: [good, poison] });
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: good.messageId }]);

    const found: string[] = [];
    for (let i = 0; i < 20 && found.length === 0; i++) {
      const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], VisibilityTimeout: 30 }));
      for (const m of res.Messages ?? []) {
        if (!m.Body?.includes(id)) continue;
        found.push(`${m.MessageAttributes?.['stepless.source-message-id']?.StringValue}:${m.MessageAttributes?.['stepless.reason']?.StringValue}`);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: deadLetterQueue, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
    expect(found).toEqual([`${poison.messageId}:MAPPING_FAILED`]);
  }, 60000);
});

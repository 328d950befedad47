import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteRuleCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { localAwsClientConfig, temporalUiUrl } from '../../infra/local/config';
import type { WorkflowStatusChange } from '../../runtime/status-events/event';
import { STATUS_EVENT_DETAIL_TYPE, STATUS_EVENT_SOURCE } from '../../runtime/status-events/names';
import { stack, temporalClient } from '../support/stack';

/**
 * Workflow status change events end to end on the local cloud: the stack's worker runs a
 * succeeding, a failing and a terminated workflow; its status publisher puts their events on the
 * stack's bus; an EventBridge rule this test creates sends them to an SQS queue it reads. Every
 * expected event arrives (delivery is at least once: duplicates are collapsed by id), nothing else
 * of these workflows does, and each one fits the published schema.
 */
const eventBridge = new EventBridgeClient(localAwsClientConfig);
const sqs = new SQSClient(localAwsClientConfig);
const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'schemas', 'workflow-status-change.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

describe('workflow status change events on the stack\'s bus', () => {
  const prefix = `status-events-${randomUUID()}`;
  const ruleName = prefix;
  let queueUrl: string;
  let client: Client;
  let closeClient: () => Promise<void>;

  beforeAll(async () => {
    const busName = stack().StatusEventBusName;
    if (!busName) throw new Error('the deployed stack has no StatusEventBusName output: redeploy it (npm run local:up)');
    ({ client, close: closeClient } = await temporalClient());
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: prefix }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const { RuleArn } = await eventBridge.send(new PutRuleCommand({
      Name: ruleName,
      EventBusName: busName,
      // What a consumer writes: this source and detail type, here narrowed to this test's workflows.
      EventPattern: JSON.stringify({ source: [STATUS_EVENT_SOURCE], 'detail-type': [STATUS_EVENT_DETAIL_TYPE], detail: { workflowId: [{ prefix }] } }),
    }));
    await sqs.send(new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': RuleArn } } }] }) },
    }));
    await eventBridge.send(new PutTargetsCommand({ Rule: ruleName, EventBusName: busName, Targets: [{ Id: 'queue', Arn: queueArn }] }));
  });

  afterAll(async () => {
    const busName = stack().StatusEventBusName;
    await eventBridge.send(new RemoveTargetsCommand({ Rule: ruleName, EventBusName: busName, Ids: ['queue'] })).catch(() => undefined);
    await eventBridge.send(new DeleteRuleCommand({ Name: ruleName, EventBusName: busName })).catch(() => undefined);
    if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    await closeClient?.();
  });

  it('reports a succeeding, a failing and a terminated run, each start and close exactly by id', async () => {
    const taskQueue = stack().TaskQueue;
    const ok = await client.workflow.start('textStatsJob', { taskQueue, workflowId: `${prefix}-ok`, args: [{ jobId: `${prefix}-ok`, text: 'to be or not to be' }] });
    // A text that is not a string fails the step's input schema: the run fails with InvalidStepInput.
    const bad = await client.workflow.start('textStatsJob', { taskQueue, workflowId: `${prefix}-bad`, args: [{ jobId: `${prefix}-bad`, text: 42 }] });
    // A run whose first task waits an hour: terminated while it waits, it runs no code when it ends.
    const stopped = await client.workflow.start('textStatsJob', { taskQueue, workflowId: `${prefix}-stopped`, args: [{ jobId: `${prefix}-stopped`, text: 'never run' }], startDelay: '1 hour' });
    await ok.result();
    await expect(bad.result()).rejects.toThrow();
    await stopped.terminate('stopped by the status events test');

    const runOf = { ok: ok.firstExecutionRunId, bad: bad.firstExecutionRunId, stopped: stopped.firstExecutionRunId };
    const expected = new Map<string, (e: WorkflowStatusChange) => void>([
      [`${prefix}-ok/${runOf.ok}/STARTED`, (e) => expect(e).toMatchObject({ closeTime: null, failure: null })],
      [`${prefix}-ok/${runOf.ok}/SUCCEEDED`, (e) => expect(e.failure).toBeNull()],
      [`${prefix}-bad/${runOf.bad}/STARTED`, (e) => expect(e.failure).toBeNull()],
      [`${prefix}-bad/${runOf.bad}/FAILED`, (e) => expect(e.failure).toEqual({ type: 'InvalidStepInput', message: expect.stringContaining('invalid input') as string })],
      [`${prefix}-stopped/${runOf.stopped}/STARTED`, (e) => expect(e.failure).toBeNull()],
      [`${prefix}-stopped/${runOf.stopped}/TERMINATED`, (e) => expect(e.failure).toEqual({ type: 'TerminatedFailure', message: 'stopped by the status events test' })],
    ]);

    const received = new Map<string, WorkflowStatusChange>();
    const deadline = Date.now() + 90_000;
    // Until every expected event is in, then a little longer: anything else for these workflows would show.
    let settleUntil = Infinity;
    while (Date.now() < Math.min(deadline, settleUntil)) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of Messages) {
        const event = JSON.parse(m.Body!) as { source: string; 'detail-type': string; detail: WorkflowStatusChange };
        expect([event.source, event['detail-type']]).toEqual([STATUS_EVENT_SOURCE, STATUS_EVENT_DETAIL_TYPE]);
        expect({ id: event.detail.id, valid: validate(event.detail), errors: validate.errors ?? null }).toEqual({ id: event.detail.id, valid: true, errors: null });
        received.set(event.detail.id, event.detail);
      }
      if (Messages.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      if (settleUntil === Infinity && [...expected.keys()].every((id) => received.has(id))) settleUntil = Date.now() + 5_000;
    }
    expect([...received.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, check] of expected) {
      const event = received.get(id)!;
      check(event);
      expect(event).toMatchObject({ workflowType: 'textStatsJob', taskQueue, namespace: 'default' });
      expect(event.temporalUiUrl).toBe(`${temporalUiUrl}/namespaces/default/workflows/${encodeURIComponent(event.workflowId)}/${event.runId}/history`);
    }
  });
});

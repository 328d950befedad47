import { SendMessageCommand, SQSClient, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { temporalClient } from '../../runtime/temporal-client';
import { dispatchEvent } from '../../runtime/triggers/dispatch';
import { compileTrigger, UnprocessableEventError } from '../../runtime/triggers/mapping';
import { triggerSpecFromEnv } from '../../runtime/triggers/spec';
import { DEFAULT_TASK_QUEUE } from '../../runtime/workflow-names';

/**
 * The function behind every trigger (infra/constructs/triggers): it reads a batch from the trigger's
 * queue (EventBridge rules and S3 notifications deliver into it too), maps each message to a
 * workflow by the trigger's declaration and starts it through the Temporal client. A message that
 * cannot become a workflow goes to the dead-letter queue with the reason; one that failed for a
 * reason that may pass (Temporal unreachable) is reported as a batch item failure, so SQS delivers
 * it again. The declaration is read at load, so a misconfigured function fails every invocation.
 */
const spec = triggerSpecFromEnv();
const mapEvent = compileTrigger(spec);
const taskQueue = process.env.TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
const deadLetterQueueUrl = process.env.DEAD_LETTER_QUEUE_URL ?? '';
if (deadLetterQueueUrl === '') throw new Error('DEAD_LETTER_QUEUE_URL is not set: the trigger construct sets it to its dead-letter queue');
// The configured endpoint, not the queue URL's host: LocalStack's queue URLs name a host that needs public DNS.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

/** SQS allows this many characters in a message attribute's value we write; longer reasons are cut. */
const MAX_REASON = 1000;

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failed = await Promise.all(event.Records.map(processRecord));
  return { batchItemFailures: failed.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
}

/** Returns the message id if SQS must deliver the message again. */
async function processRecord(record: SQSRecord): Promise<string | undefined> {
  try {
    const mapped = await mapEvent(parseBody(record.body), { message: envelope(record) });
    const outcome = await dispatchEvent(await temporalClient(), taskQueue, mapped);
    log('info', 'event dispatched', record, { outcome, workflowType: mapped.workflowType, workflowId: mapped.workflowId, key: mapped.key });
    return undefined;
  } catch (err) {
    if (err instanceof UnprocessableEventError) return deadLetter(record, err);
    log('warn', 'event not dispatched; SQS delivers it again', record, { error: String(err) });
    return record.messageId;
  }
}

/** The message body as the expressions see it: JSON when it parses, else the text itself. */
function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** `$message` in the expressions: the SQS message around the event. */
function envelope(record: SQSRecord): Record<string, unknown> {
  return {
    messageId: record.messageId,
    body: record.body,
    attributes: record.attributes,
    messageAttributes: Object.fromEntries(Object.entries(record.messageAttributes).map(([name, a]) => [name, a.stringValue ?? a.binaryValue])),
  };
}

/** Sends the message to the dead-letter queue with the reason as attributes; if that fails, SQS delivers it again. */
async function deadLetter(record: SQSRecord, err: UnprocessableEventError): Promise<string | undefined> {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const original = Object.fromEntries(Object.entries(record.messageAttributes).map(([name, a]) => [name, a.stringValue ?? a.binaryValue]));
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: record.body,
        MessageAttributes: {
          'stepless.trigger': text(spec.name),
          'stepless.reason': text(err.reason),
          'stepless.error': text(err.message.slice(0, MAX_REASON)),
          'stepless.source-message-id': text(record.messageId),
          ...(Object.keys(original).length > 0 ? { 'stepless.original-attributes': text(JSON.stringify(original)) } : {}),
        },
      }),
    );
    log('warn', 'event dead-lettered', record, { reason: err.reason, error: err.message });
    return undefined;
  } catch (sendErr) {
    log('error', 'event could not be dead-lettered; SQS delivers it again', record, { reason: err.reason, error: String(sendErr) });
    return record.messageId;
  }
}

function log(level: 'info' | 'warn' | 'error', msg: string, record: SQSRecord, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level, msg, trigger: spec.name, messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, ...fields }));
}

import { CfnOutput, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EventRuleTrigger, QueueTrigger, S3ObjectCreatedTrigger } from './sources';
import type { NodeLambda } from '../node-lambda';
import type { TriggerEnvironment, WorkflowTrigger } from './workflow-trigger';

/**
 * The stack's inbox bucket and the triggers declared on it and on the stack's event bus (docs/events.md):
 *
 * - `inbox`: an object created under `incoming/` in the inbox bucket starts a text-stats job;
 * - `text-stats-requested`: a `Text Stats Requested` event from `stepless.jobs` on the stack's bus starts one;
 * - `workflow-requests`: a message on the queue starts the workflow it names with the input it carries.
 */
export interface StackTriggersProps extends TriggerEnvironment {
  /** The stack's one event bus: workflow status change events go out on it too (infra/constructs/status-events.ts). */
  readonly bus: events.IEventBus;
}

export class StackTriggers extends Construct {
  readonly bus: events.IEventBus;
  readonly inboxBucket: s3.Bucket;
  readonly triggers: Record<string, WorkflowTrigger>;
  /** The trigger functions by source name (`inbox` → `triggerInbox`), for the alarms and `npm run logs`. */
  readonly functions: Record<string, NodeLambda>;

  constructor(scope: Construct, id: string, props: StackTriggersProps) {
    super(scope, id);
    const { bus, ...environment } = props;
    this.bus = bus;
    // Versioned, so each upload's event carries a version id: the key that tells a new upload from a repeated event.
    this.inboxBucket = new s3.Bucket(this, 'InboxBucket', {
      removalPolicy: environment.removalPolicy,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) }],
    });

    const inbox = new S3ObjectCreatedTrigger(this, 'Inbox', {
      environment,
      bucket: this.inboxBucket,
      prefix: 'incoming/',
      spec: {
        name: 'inbox',
        workflow: 'textStatsJob',
        input: '{ "jobId": "inbox-" & detail.object."version-id", "text": "New object " & detail.object.key & " (" & $string(detail.object.size) & " bytes)" }',
      },
    });
    const requested = new EventRuleTrigger(this, 'TextStatsRequested', {
      environment,
      eventBus: this.bus,
      eventPattern: { source: ['stepless.jobs'], detailType: ['Text Stats Requested'] },
      spec: {
        name: 'text-stats-requested',
        workflow: 'textStatsJob',
        key: 'detail.jobId',
        input: '{ "jobId": detail.jobId, "text": $exists(detail.text) ? detail.text : $error("detail.text is required") }',
      },
    });
    const requests = new QueueTrigger(this, 'WorkflowRequests', {
      environment,
      spec: {
        name: 'workflow-requests',
        workflow: { from: 'workflow' },
        key: 'requestId',
        input: '$exists(input) ? input : $error("the message has no input field")',
      },
    });
    this.triggers = { inbox: inbox.trigger, 'text-stats-requested': requested.trigger, 'workflow-requests': requests.trigger };
    this.functions = Object.fromEntries(Object.entries(this.triggers).map(([name, t]) => [`trigger${name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`, t.lambda]));

    // Stack-level outputs (stable logical ids) for the scripts and the tests.
    const stack = Stack.of(this);
    new CfnOutput(stack, 'EventBusName', { value: this.bus.eventBusName, description: 'The stack\'s event bus; events matching a trigger\'s rule start workflows' });
    new CfnOutput(stack, 'InboxBucketName', { value: this.inboxBucket.bucketName, description: 'Objects created under incoming/ start a text-stats job' });
    new CfnOutput(stack, 'WorkflowRequestQueueUrl', { value: requests.trigger.queue.queueUrl, description: 'Messages {"workflow","requestId","input"} start workflows' });
    new CfnOutput(stack, 'TriggerQueues', {
      value: Fn.toJsonString(Object.fromEntries(Object.entries(this.triggers).map(([name, t]) => [name, { queue: t.queue.queueUrl, deadLetterQueue: t.deadLetterQueue.queueUrl, function: t.lambda.fn.functionName }]))),
      description: 'JSON map of trigger name to its queue, dead-letter queue and function',
    });
  }
}

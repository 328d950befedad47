import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { TriggerSpec } from '../../../runtime/triggers/spec';
import { WorkflowTrigger, type WorkflowTriggerProps } from './workflow-trigger';

/** A declaration whose key has a default for the source. */
type SpecWithDefaultKey = Omit<TriggerSpec, 'key'> & { readonly key?: string };

/** The default key of an EventBridge event: its id (a new one for every PutEvents, so name a business field where producers repeat themselves). */
export const EVENT_ID_KEY = 'id';

/**
 * The default key of an S3 event: the bucket, the object key and its version id (or, in an
 * unversioned bucket, the sequencer), which stay the same however often the event is delivered.
 */
export const S3_OBJECT_KEY = 'detail.bucket.name & "/" & detail.object.key & "@" & ($exists(detail.object."version-id") ? detail.object."version-id" : detail.object.sequencer)';

export interface EventRuleTriggerProps extends Omit<WorkflowTriggerProps, 'spec'> {
  readonly spec: SpecWithDefaultKey;
  /** The events that start the workflow (EventBridge's event pattern). */
  readonly eventPattern: events.EventPattern;
  /** The bus the rule listens on. Default: the account's default bus (where AWS services send their events). */
  readonly eventBus?: events.IEventBus;
}

/**
 * An EventBridge rule whose events start a workflow. The rule delivers into the trigger's queue
 * rather than invoking the function, so Temporal being unreachable costs retries, never events,
 * and a burst is read in batches; what the rule cannot deliver goes to the dead-letter queue too.
 */
export class EventRuleTrigger extends Construct {
  readonly rule: events.Rule;
  readonly trigger: WorkflowTrigger;

  constructor(scope: Construct, id: string, props: EventRuleTriggerProps) {
    super(scope, id);
    this.trigger = new WorkflowTrigger(this, 'Trigger', { ...props, spec: { ...props.spec, key: props.spec.key ?? EVENT_ID_KEY } });
    this.rule = new events.Rule(this, 'Rule', {
      description: `Stepless trigger ${props.spec.name}: starts ${typeof props.spec.workflow === 'string' ? props.spec.workflow : 'a workflow'} per event`,
      eventPattern: props.eventPattern,
      ...(props.eventBus ? { eventBus: props.eventBus } : {}),
      targets: [new targets.SqsQueue(this.trigger.queue, { deadLetterQueue: this.trigger.deadLetterQueue })],
    });
  }
}

/** An SQS queue whose messages start workflows: send the messages to `trigger.queue`. The key is a field of the message (e.g. `orderId`) or `$message.messageId`. */
export class QueueTrigger extends Construct {
  readonly trigger: WorkflowTrigger;

  constructor(scope: Construct, id: string, props: WorkflowTriggerProps) {
    super(scope, id);
    this.trigger = new WorkflowTrigger(this, 'Trigger', props);
  }
}

export interface S3ObjectCreatedTriggerProps extends Omit<WorkflowTriggerProps, 'spec'> {
  readonly spec: SpecWithDefaultKey;
  /** A bucket of this stack: its EventBridge notifications are switched on. */
  readonly bucket: s3.Bucket;
  /** Only objects whose key starts with this. Default: every object. */
  readonly prefix?: string;
}

/**
 * Objects created in a bucket (under a prefix) start a workflow, through S3's EventBridge
 * notifications on the default bus. They are switched on with the bucket's own CloudFormation
 * property (NotificationConfiguration.EventBridgeConfiguration), not CDK's `eventBridgeEnabled`,
 * which needs a custom resource that LocalStack's runtime cannot run; the property works on both.
 */
export class S3ObjectCreatedTrigger extends Construct {
  readonly rule: events.Rule;
  readonly trigger: WorkflowTrigger;

  constructor(scope: Construct, id: string, props: S3ObjectCreatedTriggerProps) {
    super(scope, id);
    const cfnBucket = props.bucket.node.defaultChild;
    if (!(cfnBucket instanceof s3.CfnBucket)) throw new Error(`trigger "${props.spec.name}": bucket must be an s3.Bucket created in this app (its CloudFormation notification setting is switched on)`);
    cfnBucket.addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
    const objectFilter = props.prefix !== undefined && props.prefix !== '' ? { object: { key: [{ prefix: props.prefix }] } } : {};
    const ruleTrigger = new EventRuleTrigger(this, 'Events', {
      ...props,
      spec: { ...props.spec, key: props.spec.key ?? S3_OBJECT_KEY },
      eventPattern: { source: ['aws.s3'], detailType: ['Object Created'], detail: { bucket: { name: [props.bucket.bucketName] }, ...objectFilter } },
    });
    this.rule = ruleTrigger.rule;
    this.trigger = ruleTrigger.trigger;
  }
}

import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TemporalAccess } from '../../../infra/constructs/temporal-access';
import { QueueTrigger, S3ObjectCreatedTrigger } from '../../../infra/constructs/triggers/sources';
import type { TriggerEnvironment } from '../../../infra/constructs/triggers/workflow-trigger';
import { resolveDeploymentSettings } from '../../../infra/stacks/deployment-config';
import { synthTemplate, TEST_TEMPORAL_ADDRESS } from '../../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (t: Template, type: string) => Object.entries(t.findResources(type)) as Array<[string, Resource]>;
const propertiesOf = (t: Template, id: string): Record<string, unknown> => (t.toJSON() as { Resources: Record<string, Resource> }).Resources[id]!.Properties;
const idOf = (t: Template, type: string, prefix: string): string => {
  const found = resources(t, type).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${found.map(([id]) => id).join(', ')}`);
  return found[0]![0];
};

/** The event triggers in the AWS template: what CloudFormation alone (no custom resource) must create. */
describe('event triggers on AWS', () => {
  const { template } = synthTemplate('aws');

  it('switches on EventBridge notifications with the bucket\'s own property, not CDK\'s custom resource', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } }, VersioningConfiguration: { Status: 'Enabled' } });
    expect(resources(template, 'Custom::S3BucketNotifications')).toHaveLength(0);
    expect(Object.keys(template.toJSON().Resources as object).filter((id) => /BucketNotificationsHandler/.test(id))).toEqual([]);
  });

  it('routes object-created events of the inbox prefix, from the default bus, into the inbox trigger\'s queue with its dead-letter queue', () => {
    const inboxBucket = idOf(template, 'AWS::S3::Bucket', 'TriggersInboxBucket');
    const queue = idOf(template, 'AWS::SQS::Queue', 'TriggersInboxEventsTriggerQueue');
    const dlq = idOf(template, 'AWS::SQS::Queue', 'TriggersInboxEventsTriggerDeadLetterQueue');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: [{ Ref: inboxBucket }] }, object: { key: [{ prefix: 'incoming/' }] } } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } } })],
    });
  });

  it('listens for requests on the stack\'s own bus', () => {
    // One bus for the stack: the status change events go out on it too.
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const bus = idOf(template, 'AWS::Events::EventBus', 'StatusEventsBus');
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: bus }, EventPattern: { source: ['stepless.jobs'], 'detail-type': ['Text Stats Requested'] } });
  });

  it('gives every trigger an encrypted queue that redrives to its dead-letter queue, read in batches with partial batch failure', () => {
    for (const name of ['TriggersInboxEventsTrigger', 'TriggersTextStatsRequestedTrigger', 'TriggersWorkflowRequestsTrigger']) {
      const dlq = idOf(template, 'AWS::SQS::Queue', `${name}DeadLetterQueue`);
      const queue = idOf(template, 'AWS::SQS::Queue', `${name}Queue`);
      expect(propertiesOf(template, queue)).toMatchObject({
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 180,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 20 },
      });
      const fn = idOf(template, 'AWS::Lambda::Function', `${name}Function`);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: fn }, EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] }, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    }
  });

  it('configures each function with its declaration, its dead-letter queue and Temporal, and lets it send to that queue', () => {
    const fnId = idOf(template, 'AWS::Lambda::Function', 'TriggersWorkflowRequestsTriggerFunction');
    const dlq = idOf(template, 'AWS::SQS::Queue', 'TriggersWorkflowRequestsTriggerDeadLetterQueue');
    const env = (propertiesOf(template, fnId).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.parse(env.STEPLESS_TRIGGER as string)).toEqual({ name: 'workflow-requests', workflow: { from: 'workflow' }, key: 'requestId', input: expect.any(String) });
    expect(env).toMatchObject({ DEAD_LETTER_QUEUE_URL: { Ref: dlq }, TEMPORAL_ADDRESS: TEST_TEMPORAL_ADDRESS, TASK_QUEUE: 'stepless' });
    const statements = resources(template, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('TriggersWorkflowRequestsTriggerFunction'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [dlq, 'Arn'] } }));
  });

  it('lets EventBridge, and only this rule, send to the queues it targets', () => {
    const rule = resources(template, 'AWS::Events::Rule').find(([id]) => id.startsWith('TriggersTextStatsRequestedRule'))![0];
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } } })]) },
    });
  });
});

describe('trigger constructs refuse a bad declaration at synth', () => {
  const environment = (stack: Stack): TriggerEnvironment => ({
    target: 'aws',
    temporal: new TemporalAccess(stack, 'Temporal', resolveDeploymentSettings('aws', { temporalAddress: TEST_TEMPORAL_ADDRESS, temporalTls: true })),
    taskQueue: 'stepless',
    claimCheckBucket: new s3.Bucket(stack, 'Claims'),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'T');

  it('an unregistered workflow', () => {
    const s = stack();
    expect(() => new QueueTrigger(s, 'Q', { environment: environment(s), spec: { name: 'q', workflow: 'nope' as never, key: 'id', input: '$' } })).toThrow(/trigger "q": workflow must be one of textStatsJob/);
  });

  it('a batch size SQS does not allow', () => {
    const s = stack();
    expect(() => new QueueTrigger(s, 'Q', { environment: environment(s), batchSize: 11, spec: { name: 'q', workflow: 'textStatsJob', key: 'id', input: '$' } })).toThrow(/trigger "q": batchSize must be an integer 1-10, got 11/);
  });

  it('a bucket that is not this app\'s (its notification setting cannot be switched on)', () => {
    const s = stack();
    const bucket = s3.Bucket.fromBucketName(s, 'Imported', 'someone-elses') as s3.Bucket;
    expect(() => new S3ObjectCreatedTrigger(s, 'S', { environment: environment(s), bucket, spec: { name: 's', workflow: 'textStatsJob', input: '$' } })).toThrow(/trigger "s": bucket must be an s3.Bucket created in this app/);
  });
});

import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { IEnvironmentGrantee } from './environment-grantee';
import {
  STATUS_EVENT_BUS_ENV,
  STATUS_EVENT_DETAIL_TYPE,
  STATUS_EVENT_SOURCE,
  STATUS_EVENTS_TABLE_ENV,
  TEMPORAL_UI_URL_ENV,
  type WorkflowStatus,
} from '../../runtime/status-events/names';

export interface StatusEventsProps {
  readonly removalPolicy: RemovalPolicy;
}

/** The statuses that page: the run ended badly on its own (cancelling and terminating are someone's decision). */
export const ALARMING_STATUSES: readonly WorkflowStatus[] = ['FAILED', 'TIMED_OUT'];

/**
 * Workflow status change events (docs/events-out.md): the stack's event bus, which the worker's
 * status publisher (runtime/status-events) puts one event on per run started and closed, and the
 * small table holding the publisher's lease and cursor. Consumers subscribe with their own rules
 * on this bus.
 */
export class StatusEvents extends Construct {
  readonly bus: events.EventBus;
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StatusEventsProps) {
    super(scope, id);
    // The stack's one bus: status change events go out on it, and event triggers' rules match on it.
    this.bus = new events.EventBus(this, 'Bus', { description: 'Stepless: workflow status change events (source "stepless"), and events that start workflows' });
    // One item per namespace and task queue (runtime/status-events/lease.ts).
    this.table = new dynamodb.Table(this, 'PublisherState', {
      partitionKey: { name: 'key', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * Lets the worker put events on the bus and keep its lease, and sets the variables naming both
   * (and, when known, the Temporal UI for each event's link): the publisher starts with the worker
   * once STATUS_EVENT_BUS is set.
   */
  grantPublisher(grantee: IEnvironmentGrantee, temporalUiUrl?: string): iam.Grant {
    grantee.addEnvironment(STATUS_EVENT_BUS_ENV, this.bus.eventBusName);
    grantee.addEnvironment(STATUS_EVENTS_TABLE_ENV, this.table.tableName);
    if (temporalUiUrl) grantee.addEnvironment(TEMPORAL_UI_URL_ENV, temporalUiUrl);
    return this.bus.grantPutEventsTo(grantee).combine(this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem'));
  }

  /**
   * A rule sending every FAILED or TIMED_OUT run to the alarm topic, as one readable line with the
   * failure and the link to the run. EventBridge publishes through a role of its own (granted the
   * topic and its KMS key), so the topic's and the key's policies stay CloudWatch's alone.
   */
  alarmOnFailures(topic: sns.ITopic): events.Rule {
    const field = (path: string) => events.EventField.fromPath(`$.detail.${path}`);
    const role = new iam.Role(this, 'AlarmPublisherRole', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com'), description: 'EventBridge publishing failed workflow runs to the alarm topic' });
    // Granted by hand: the SNS target's own grant adds the action family kms:GenerateDataKey*, where
    // publishing to an encrypted topic needs only these two actions.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    if (topic.masterKey) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [topic.masterKey.keyArn] }));
    const message = events.RuleTargetInput.fromText(
      `Workflow ${field('workflowType')} ${field('workflowId')} (run ${field('runId')}) ${field('status')}: ${field('failure.type')}: ${field('failure.message')}. ${field('temporalUiUrl')}`,
    );
    return new events.Rule(this, 'FailuresToAlarmTopic', {
      eventBus: this.bus,
      description: 'Stepless: workflow runs that failed or timed out, to the alarm topic',
      eventPattern: { source: [STATUS_EVENT_SOURCE], detailType: [STATUS_EVENT_DETAIL_TYPE], detail: { status: [...ALARMING_STATUSES] } },
      targets: [{ bind: () => ({ arn: topic.topicArn, role, input: message }) }],
    });
  }
}

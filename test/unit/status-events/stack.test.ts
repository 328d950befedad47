import type { Template } from 'aws-cdk-lib/assertions';
import { resolveDeploymentSettings } from '../../../infra/stacks/deployment-config';
import { ALARMING_STATUSES } from '../../../infra/constructs/status-events';
import { STATUS_EVENT_DETAIL_TYPE, STATUS_EVENT_SOURCE } from '../../../runtime/status-events/names';
import { synthTemplate, TEST_TEMPORAL_ADDRESS } from '../../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: unknown };

const resources = (t: Template, type: string) => Object.entries(t.findResources(type)) as Array<[string, Resource]>;
const idOf = (t: Template, type: string, prefix: string) => resources(t, type).find(([id]) => id.startsWith(prefix))![0];

/** The stack's part of the status change events: the bus, the publisher's table and grants, the failures rule. */
describe('status change events in the stack', () => {
  const { template: aws } = synthTemplate('aws');
  const { template: local } = synthTemplate('local');
  const { template: selfHosted } = synthTemplate('aws', { temporalAddress: 'temporal.internal:7233', temporalUiUrl: 'https://temporal-ui.example.com' });

  it('both targets have the bus and the publisher\'s table, and say their names', () => {
    for (const t of [aws, local]) {
      t.resourceCountIs('AWS::Events::EventBus', 1);
      t.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' });
      for (const output of ['StatusEventBusName', 'StatusEventBusArn', 'StatusEventsTableName']) expect(Object.keys(t.findOutputs(output))).toEqual([output]);
    }
  });

  it('tells the worker the bus, the table and the Temporal UI (Temporal Cloud\'s by default, or the one configured)', () => {
    const environment = (t: Template) => {
      const [[, task]] = resources(t, 'AWS::ECS::TaskDefinition') as [[string, Resource]];
      const env = (task.Properties.ContainerDefinitions as Array<{ Environment: Array<{ Name: string; Value: unknown }> }>)[0]!.Environment;
      return Object.fromEntries(env.map((e) => [e.Name, e.Value]));
    };
    const env = environment(aws);
    expect(env.STATUS_EVENT_BUS).toEqual({ Ref: idOf(aws, 'AWS::Events::EventBus', 'StatusEventsBus') });
    expect(env.STATUS_EVENTS_TABLE).toEqual({ Ref: idOf(aws, 'AWS::DynamoDB::Table', 'StatusEventsPublisherState') });
    expect(env.TEMPORAL_UI_URL).toBe('https://cloud.temporal.io');
    expect(environment(selfHosted).TEMPORAL_UI_URL).toBe('https://temporal-ui.example.com');
  });

  it('lets the worker put events on that bus only, and only read and update its lease item', () => {
    const busId = idOf(aws, 'AWS::Events::EventBus', 'StatusEventsBus');
    const tableId = idOf(aws, 'AWS::DynamoDB::Table', 'StatusEventsPublisherState');
    const grants = resources(aws, 'AWS::IAM::Policy').flatMap(([id, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((s) => ({ id, s })));
    const on = (ref: string) => grants.filter(({ s }) => JSON.stringify(s.Resource).includes(ref)).map(({ id, s }) => ({ id: id.replace(/[0-9A-F]{8}$/, ''), actions: s.Action }));
    expect(on(busId)).toEqual([{ id: 'WorkerTaskTaskRoleDefaultPolicy', actions: 'events:PutEvents' }]);
    expect(on(tableId)).toEqual([{ id: 'WorkerTaskTaskRoleDefaultPolicy', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] }]);
  });

  it('on AWS, a rule sends failed and timed-out runs to the alarm topic as one readable line; locally there is no topic and no rule', () => {
    expect(ALARMING_STATUSES).toEqual(['FAILED', 'TIMED_OUT']);
    const [[, rule]] = resources(aws, 'AWS::Events::Rule') as [[string, Resource]];
    expect(rule.Properties.EventBusName).toEqual({ Ref: idOf(aws, 'AWS::Events::EventBus', 'StatusEventsBus') });
    expect(rule.Properties.EventPattern).toEqual({ source: [STATUS_EVENT_SOURCE], 'detail-type': [STATUS_EVENT_DETAIL_TYPE], detail: { status: ['FAILED', 'TIMED_OUT'] } });
    const [target] = rule.Properties.Targets as Array<{ Arn: unknown; InputTransformer: { InputTemplate: string; InputPathsMap: Record<string, string> } }>;
    expect(target!.Arn).toEqual({ Ref: idOf(aws, 'AWS::SNS::Topic', 'ObservabilityAlarms') });
    expect(Object.values(target!.InputTransformer.InputPathsMap).sort()).toEqual(['$.detail.failure.message', '$.detail.failure.type', '$.detail.runId', '$.detail.status', '$.detail.temporalUiUrl', '$.detail.workflowId', '$.detail.workflowType']);
    // Locally the bus carries only the event triggers' rules.
    expect(Object.values(local.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r).includes('Workflow Execution Status Change'))).toEqual([]);
  });

  it('EventBridge publishes to the encrypted alarm topic through its own role, allowed that topic and its key only', () => {
    const [target] = (resources(aws, 'AWS::Events::Rule')[0]![1].Properties.Targets as Array<{ RoleArn: { 'Fn::GetAtt': [string, string] } }>);
    const roleId = target!.RoleArn['Fn::GetAtt'][0];
    expect(aws.findResources('AWS::IAM::Role')[roleId]).toMatchObject({ Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'events.amazonaws.com' } }] } } });
    const policies = resources(aws, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId));
    expect(policies.flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: idOf(aws, 'AWS::SNS::Topic', 'ObservabilityAlarms') } },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [idOf(aws, 'AWS::KMS::Key', 'ObservabilityAlarmTopicKey'), 'Arn'] } },
    ]);
  });

  it('temporalUiUrl: defaults for Temporal Cloud only, and must be an http(s) URL', () => {
    const base = { temporalAddress: TEST_TEMPORAL_ADDRESS, temporalTls: true };
    expect(resolveDeploymentSettings('aws', base).temporalUiUrl).toBe('https://cloud.temporal.io');
    expect(resolveDeploymentSettings('aws', { ...base, temporalAddress: 'temporal.internal:7233' }).temporalUiUrl).toBeUndefined();
    expect(() => resolveDeploymentSettings('aws', { ...base, temporalUiUrl: 'temporal-ui:8080' })).toThrow(/context value "temporalUiUrl" must be the Temporal Web UI's http\(s\) URL/);
  });
});

import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IdempotencyTable } from '../../../infra/constructs/idempotency-table';

describe('IdempotencyTable construct', () => {
  const stack = new Stack(new App(), 'T');
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
  new IdempotencyTable(stack, 'Idempotency', { removalPolicy: RemovalPolicy.RETAIN }).grantItemAccess(fn);
  const template = Template.fromStack(stack);

  it('is keyed by `key`, expires items by TTL on `expiresAt`, and honours the removal policy', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
      }),
    });
  });

  it('gives an opted-in function IDEMPOTENCY_TABLE and the four item operations, nothing more', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { IDEMPOTENCY_TABLE: Match.anyValue() } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Effect: 'Allow' })] },
    });
  });
});

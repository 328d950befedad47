import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface IdempotencyTableProps {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The table behind `withIdempotency` (runtime/idempotency): one item per idempotency key
 * (partition key `key`), expired by DynamoDB's TTL on `expiresAt` (epoch seconds). Functions opt
 * in with `grantTo(fn)`.
 */
export class IdempotencyTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'key', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: props.removalPolicy,
    });
  }

  /** IDEMPOTENCY_TABLE in the function's environment, and the four item operations the helper uses. */
  grantTo(fn: lambda.Function): void {
    fn.addEnvironment('IDEMPOTENCY_TABLE', this.table.tableName);
    this.table.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
  }
}

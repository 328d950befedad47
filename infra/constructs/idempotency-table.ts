import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IEnvironmentGrantee } from './environment-grantee';

export interface IdempotencyTableProps {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The table behind `withIdempotency` (runtime/idempotency): one item per idempotency key
 * (partition key `key`), expired by DynamoDB's TTL on `expiresAt` (epoch seconds). Functions opt
 * in with `grantItemAccess(fn)`.
 */
export class IdempotencyTable extends Construct {
  readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'key', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: props.removalPolicy,
    });
  }

  /** The four item operations the helper uses, with IDEMPOTENCY_TABLE in the grantee's environment. */
  grantItemAccess(grantee: IEnvironmentGrantee): iam.Grant {
    grantee.addEnvironment('IDEMPOTENCY_TABLE', this.table.tableName);
    return this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
  }
}

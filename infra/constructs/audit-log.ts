import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Target } from '../stacks/target';

export interface AuditLogProps {
  readonly target: Target;
  readonly removalPolicy: RemovalPolicy;
  /**
   * How long S3 Object Lock (compliance mode) keeps each anchored tree head from being deleted or
   * overwritten, by anyone, root included. Only on AWS; locally the anchor bucket is plain so the
   * local cloud can be torn down (LocalStack 4.13 does enforce compliance mode when asked).
   * Default 365 days. Compliance mode cannot be shortened or lifted once an object is written.
   */
  readonly anchorRetention?: Duration;
}

/** What reading a log calls (runtime/audit/log/store.ts). */
const AUDIT_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];
/** Reading plus appending (runtime/audit/log/audit-log.ts: TransactWriteItems of Puts, PutItem). */
const AUDIT_APPEND_ACTIONS = [...AUDIT_READ_ACTIONS, 'dynamodb:PutItem'];

/**
 * The audit log's resources: the table holding every log (partition key `logId`, sort key `sk`;
 * see runtime/audit/log/items.ts), the S3 bucket its signed tree heads are anchored in, and a KMS
 * key (ECC_NIST_P256, SIGN_VERIFY) that signs tree heads on AWS.
 */
export class AuditLogResources extends Construct {
  readonly table: dynamodb.Table;
  readonly anchorBucket: s3.Bucket;
  readonly signingKey: kms.Key;

  constructor(scope: Construct, id: string, props: AuditLogProps) {
    super(scope, id);
    const aws = props.target === 'aws';
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'logId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: props.removalPolicy,
      ...(aws ? { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, deletionProtection: true } : {}),
    });
    this.anchorBucket = new s3.Bucket(this, 'AnchorBucket', {
      removalPolicy: props.removalPolicy,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      ...(aws
        ? {
            versioned: true,
            objectLockEnabled: true,
            objectLockDefaultRetention: s3.ObjectLockRetention.compliance(props.anchorRetention ?? Duration.days(365)),
          }
        : {}),
    });
    this.signingKey = new kms.Key(this, 'SigningKey', {
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      description: 'Signs the audit log tree heads (ECDSA_SHA_256)',
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * Read the logs (the API): GetItem (heads, STHs, idempotency keys) and Query (entry and STH
   * ranges), the only calls runtime/audit/log/store.ts makes.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, ...AUDIT_READ_ACTIONS);
  }

  /**
   * Append (the worker): read the table, PutItem (the conditional puts of an append's
   * TransactWriteItems are authorized as PutItem, and a checkpoint pointer is one PutItem), put and
   * read anchors, sign with the key. No DeleteItem, UpdateItem or BatchWriteItem, no anchor deletes.
   */
  grantAppend(grantee: iam.IGrantable): iam.Grant {
    return this.table
      .grant(grantee, ...AUDIT_APPEND_ACTIONS)
      .combine(this.anchorBucket.grantRead(grantee))
      .combine(this.anchorBucket.grantPut(grantee))
      .combine(this.signingKey.grant(grantee, 'kms:Sign', 'kms:GetPublicKey'));
  }
}

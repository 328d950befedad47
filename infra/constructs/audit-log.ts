import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Target } from '../stacks/target';
import { grantBucketAccess } from './bucket-access';
import type { IEnvironmentGrantee } from './environment-grantee';

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
  readonly table: dynamodb.ITable;
  readonly anchorBucket: s3.IBucket;
  readonly signingKey: kms.IKey;

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
   * ranges), the only calls runtime/audit/log/store.ts makes, with AUDIT_TABLE set.
   */
  grantRead(grantee: IEnvironmentGrantee): iam.Grant {
    grantee.addEnvironment('AUDIT_TABLE', this.table.tableName);
    return this.table.grant(grantee, ...AUDIT_READ_ACTIONS);
  }

  /**
   * Append (the worker), with AUDIT_TABLE, AUDIT_ANCHOR_BUCKET and AUDIT_KMS_KEY_ID set: read the
   * table and PutItem (the conditional puts of an append's TransactWriteItems are authorized as
   * PutItem, and a checkpoint pointer is one PutItem); on the anchor bucket PutObject of new
   * anchors and public keys, GetObject and ListBucket for runtime/audit/log/anchors.ts's existence
   * checks (a HEAD of a missing object answers 404 only to a caller that may list); sign with the
   * key. No DeleteItem, UpdateItem or BatchWriteItem; no object deletes, retention or legal-hold
   * changes and no version reads on the anchors (Object Lock's default retention applies without
   * them).
   */
  grantAppend(grantee: IEnvironmentGrantee): iam.Grant {
    grantee.addEnvironment('AUDIT_TABLE', this.table.tableName);
    grantee.addEnvironment('AUDIT_KMS_KEY_ID', this.signingKey.keyArn);
    return this.table
      .grant(grantee, ...AUDIT_APPEND_ACTIONS)
      .combine(grantBucketAccess(this.anchorBucket, grantee, { env: 'AUDIT_ANCHOR_BUCKET', read: [''], write: [''], list: [''] }))
      .combine(this.signingKey.grant(grantee, 'kms:Sign', 'kms:GetPublicKey'));
  }
}

import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Target } from '../stacks/target';

export interface AnalysisServicesProps {
  readonly target: Target;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The codebase analysis's storage: a versioned snapshot bucket (refactoring writes new versions;
 * a failed batch is restored from the previous ones) and a table of analysis records (each
 * analysis run of a file, each invocation). Its four functions are built from their declarations
 * (lambdas/{snapshot-manifest,analyze-file,refactor-files,check-files}/steps.ts), which say what
 * each may read and write here.
 */
export class AnalysisServices extends Construct {
  readonly snapshotBucket: s3.IBucket;
  readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: AnalysisServicesProps) {
    super(scope, id);
    this.snapshotBucket = new s3.Bucket(this, 'SnapshotBucket', {
      versioned: true,
      removalPolicy: props.removalPolicy,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'analysisId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: props.removalPolicy,
    });
    // Stack-level outputs (exact names) for scripts/upload-snapshot.ts and the tests.
    const stack = Stack.of(this);
    new CfnOutput(stack, 'AnalysisSnapshotBucketName', { value: this.snapshotBucket.bucketName, description: 'Versioned bucket of repository snapshots (scripts/upload-snapshot.ts)' });
    new CfnOutput(stack, 'AnalysisTableName', { value: this.table.tableName, description: 'Analysis records: each file analysis and function invocation' });
  }
}

import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Target } from '../stacks/target';
import type { IdempotencyTable } from './idempotency-table';
import { NodeLambda } from './node-lambda';

export interface AnalysisServicesProps {
  readonly target: Target;
  readonly removalPolicy: RemovalPolicy;
  readonly idempotency: IdempotencyTable;
  /** Inputs/results above the claim-check threshold travel through this bucket. */
  readonly claimCheckBucket: s3.IBucket;
}

const lambdasDir = join(__dirname, '..', '..', 'lambdas');

/**
 * esbuild bundles the `typescript` package's code but not the standard library declaration files
 * its type checker reads from disk (lib.es5.d.ts, lib.es2022.*.d.ts, ...): copy them next to
 * index.js, where `ts.getDefaultLibFilePath` (and lambdas/shared/analysis/program.ts) look for them.
 */
const copyTypeScriptLibs = (inputDir: string, outputDir: string): string[] => [`cp "${inputDir}"/node_modules/typescript/lib/lib.*.d.ts "${outputDir}"/`];

/**
 * The codebase-analysis services: a versioned snapshot bucket (refactoring writes new versions;
 * a failed batch is restored from the previous ones), a table of analysis records (each analysis
 * run of a file, each invocation), and four functions, with least-privilege grants:
 *
 *   snapshotManifest  read the snapshot's manifest                     s3 read
 *   analyzeFile       analyse one file (TypeScript compiler API)       s3 read, table write, idempotency
 *   refactorFiles     apply a transformation batch / roll it back      s3 read/write (versions)
 *   checkFiles        type-check the snapshot (ts.createProgram)       s3 read
 */
export class AnalysisServices extends Construct {
  readonly snapshotBucket: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly functions: Record<string, NodeLambda>;

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
    const common = { target: props.target, claimCheckBucket: props.claimCheckBucket, environment: { SNAPSHOT_BUCKET: this.snapshotBucket.bucketName } };

    const snapshotManifest = new NodeLambda(this, 'SnapshotManifest', {
      ...common,
      entry: join(lambdasDir, 'snapshot-manifest', 'handler.ts'),
      description: 'Reads and validates a repository snapshot manifest',
      timeout: Duration.seconds(30),
      memorySize: 256,
    });
    this.snapshotBucket.grantRead(snapshotManifest.fn);

    const analyzeFile = new NodeLambda(this, 'AnalyzeFile', {
      ...common,
      environment: { ...common.environment, ANALYSIS_TABLE: this.table.tableName },
      entry: join(lambdasDir, 'analyze-file', 'handler.ts'),
      description: 'Analyses one snapshot file with the TypeScript compiler API',
      timeout: Duration.seconds(60),
      memorySize: 1024,
      afterBundling: copyTypeScriptLibs,
    });
    this.snapshotBucket.grantRead(analyzeFile.fn);
    this.table.grant(analyzeFile.fn, 'dynamodb:PutItem');
    props.idempotency.grantTo(analyzeFile.fn);

    const refactorFiles = new NodeLambda(this, 'RefactorFiles', {
      ...common,
      entry: join(lambdasDir, 'refactor-files', 'handler.ts'),
      description: 'Applies a refactoring batch to snapshot files (new S3 versions) or rolls it back',
      timeout: Duration.seconds(60),
      memorySize: 512,
    });
    this.snapshotBucket.grantReadWrite(refactorFiles.fn);

    const checkFiles = new NodeLambda(this, 'CheckFiles', {
      ...common,
      entry: join(lambdasDir, 'check-files', 'handler.ts'),
      description: 'Parses and type-checks a snapshot with ts.createProgram',
      timeout: Duration.seconds(120),
      memorySize: 1536,
      afterBundling: copyTypeScriptLibs,
    });
    this.snapshotBucket.grantRead(checkFiles.fn);

    this.functions = { snapshotManifest, analyzeFile, refactorFiles, checkFiles };

    // Stack-level outputs (exact names) for scripts/upload-snapshot.ts and the tests.
    const stack = Stack.of(this);
    new CfnOutput(stack, 'AnalysisSnapshotBucketName', { value: this.snapshotBucket.bucketName, description: 'Versioned bucket of repository snapshots (scripts/upload-snapshot.ts)' });
    new CfnOutput(stack, 'AnalysisTableName', { value: this.table.tableName, description: 'Analysis records: each file analysis and function invocation' });
    new CfnOutput(stack, 'AnalyzeFileFunctionName', { value: analyzeFile.fn.functionName });
  }
}

import { join } from 'node:path';
import { Aspects, CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Fn } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEFAULT_TASK_QUEUE } from '../../workflows/names';
import { TableProtection } from '../aspects/table-protection';
import { AuditLogResources } from '../constructs/audit-log';
import { IdempotencyTable } from '../constructs/idempotency-table';
import { NodeLambda } from '../constructs/node-lambda';
import { OrderServices } from '../constructs/order-services';
import { TrainingServices } from '../constructs/training-services';
import { AnalysisServices } from '../constructs/analysis-services';
import { Target } from './target';

export interface SteplessStackProps extends StackProps {
  readonly target: Target;
  /** The environment name: prefixes nothing, but is the API stage and a tag. */
  readonly stage: string;
  /** Where the API handler reaches Temporal. Locally the dev server on this machine. */
  readonly temporalAddress?: string;
  readonly temporalNamespace?: string;
  readonly taskQueue?: string;
  /** LocalStack's endpoint, for the API URL output of the local target. Default http://127.0.0.1:4566. */
  readonly localEndpoint?: string;
  /** How long the audit anchors stay under S3 Object Lock (compliance mode) on AWS. Default 365 days. */
  readonly auditAnchorRetention?: Duration;
  /**
   * How long claim-checked payloads (large workflow inputs and results) are kept. They are read
   * while a workflow runs and when its history is replayed or shown, so this must outlast your
   * longest workflow plus the namespace's history retention. Default 400 days.
   */
  readonly claimCheckRetention?: Duration;
}

const lambdasDir = join(__dirname, '..', '..', 'lambdas');

export class SteplessStack extends Stack {
  constructor(scope: Construct, id: string, props: SteplessStackProps) {
    super(scope, id, props);
    const local = props.target === 'local';
    const taskQueue = props.taskQueue ?? DEFAULT_TASK_QUEUE;
    // Locally the stack is torn down with the local cloud; on AWS, data outlives a stack deletion.
    const removalPolicy = local ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    if (!local && !props.temporalAddress) {
      throw new Error('the AWS target needs the Temporal frontend address: pass -c temporalAddress=<host:port> (e.g. my-ns.a1b2c.tmprl.cloud:7233)');
    }
    if (!local) Aspects.of(this).add(new TableProtection());

    // Checkpoints, claim checks, reports. Versioned, so an overwritten or deleted object can be
    // recovered; on AWS encrypted with a customer-managed key (grants to the bucket include it).
    const dataBucket = new s3.Bucket(this, 'DataBucket', {
      removalPolicy,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      ...(local
        ? { encryption: s3.BucketEncryption.S3_MANAGED }
        : { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(this, 'DataKey', { enableKeyRotation: true, removalPolicy, description: 'Stepless data bucket' }), bucketKeyEnabled: true }),
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { id: 'expire-claim-checks', prefix: 'claim-checks/', expiration: props.claimCheckRetention ?? Duration.days(400) },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });

    const jobsTable = new dynamodb.Table(this, 'JobsTable', {
      partitionKey: { name: 'jobId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy,
    });

    const textStats = new NodeLambda(this, 'TextStatsFunction', {
      entry: join(lambdasDir, 'text-stats', 'handler.ts'),
      target: props.target,
      description: 'Counts the words of a text, writes a report to S3 and a record to DynamoDB',
      timeout: Duration.seconds(30),
      claimCheckBucket: dataBucket,
      environment: {
        DATA_BUCKET: dataBucket.bucketName,
        JOBS_TABLE: jobsTable.tableName,
      },
    });
    jobsTable.grantReadWriteData(textStats.fn);

    // Idempotency records of Lambda steps (runtime/idempotency); functions opt in with grantTo.
    const idempotency = new IdempotencyTable(this, 'Idempotency', { removalPolicy });
    idempotency.grantTo(textStats.fn);

    // Audit log (runtime/audit/log): table, S3 anchors, signing key.
    const audit = new AuditLogResources(this, 'AuditLog', { target: props.target, removalPolicy, anchorRetention: props.auditAnchorRetention });

    // Workflow services: the functions (and their tables) of the example workflows, one construct each.
    const orderServices = new OrderServices(this, 'OrderServices', { target: props.target, removalPolicy });
    const trainingServices = new TrainingServices(this, 'TrainingServices', { target: props.target, bucket: dataBucket });
    const analysisServices = new AnalysisServices(this, 'AnalysisServices', { target: props.target, removalPolicy, idempotency, claimCheckBucket: dataBucket });

    // Logical function name (what workflows pass to lambdaFunction()) → deployed function.
    const workerFunctions: Record<string, NodeLambda> = {
      textStats,
      // Workflow service functions:
      ...orderServices.functions,
      ...trainingServices.functions,
      ...analysisServices.functions,
    };

    const apiHandler = new NodeLambda(this, 'ApiFunction', {
      entry: join(lambdasDir, 'api', 'handler.ts'),
      target: props.target,
      description: 'The HTTP API: starts and inspects workflows through the Temporal client',
      timeout: Duration.seconds(29),
      // Starting a workflow with a large input, or reading a large result, goes through the claim check.
      claimCheckBucket: dataBucket,
      environment: {
        TEMPORAL_ADDRESS: props.temporalAddress ?? '127.0.0.1:7233',
        TEMPORAL_NAMESPACE: props.temporalNamespace ?? 'default',
        TASK_QUEUE: taskQueue,
        AUDIT_TABLE: audit.table.tableName,
        // GET /trainings/{id}/checkpoints lists the checkpoint store's manifests.
        TRAINING_BUCKET: dataBucket.bucketName,
      },
    });
    audit.table.grantReadData(apiHandler.fn);

    const api = new apigateway.LambdaRestApi(this, 'Api', {
      handler: apiHandler.fn,
      description: 'Stepless: start and inspect durable workflows',
      deployOptions: { stageName: props.stage },
      // Locally there is no CloudWatch role to attach; on AWS API Gateway needs one for logging.
      cloudWatchRole: !local,
    });

    // The construct's own "Endpoint" output is the execute-api host name, which needs DNS locally;
    // ApiUrl below is the one URL to use on either target.
    api.node.tryRemoveChild('Endpoint');

    // LocalStack serves REST APIs under /_aws/execute-api/<id>/<stage>/ (no DNS needed).
    const apiUrl = local
      ? Fn.join('', [`${props.localEndpoint ?? 'http://127.0.0.1:4566'}/_aws/execute-api/`, api.restApiId, `/${props.stage}/`])
      : api.url;

    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'DataBucketName', { value: dataBucket.bucketName });
    new CfnOutput(this, 'JobsTableName', { value: jobsTable.tableName });
    new CfnOutput(this, 'TaskQueue', { value: taskQueue });
    // The worker maps the logical function names that workflows use to the deployed functions.
    new CfnOutput(this, 'WorkerFunctions', {
      value: Fn.toJsonString(Object.fromEntries(Object.entries(workerFunctions).map(([name, f]) => [name, f.fn.functionName]))),
      description: 'JSON map of logical function name to Lambda function name, for the worker',
    });
    new CfnOutput(this, 'TextStatsLogGroup', { value: `/aws/lambda/${textStats.fn.functionName}` });
    new CfnOutput(this, 'ApiLogGroup', { value: `/aws/lambda/${apiHandler.fn.functionName}` });
    new CfnOutput(this, 'IdempotencyTableName', { value: idempotency.table.tableName });
    new CfnOutput(this, 'AuditTableName', { value: audit.table.tableName });
    new CfnOutput(this, 'AuditAnchorBucketName', { value: audit.anchorBucket.bucketName });
    new CfnOutput(this, 'AuditSigningKeyArn', { value: audit.signingKey.keyArn, description: 'KMS key that signs audit tree heads on AWS (public key: kms get-public-key)' });
  }
}

import { join } from 'node:path';
import { Aspects, CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Fn, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TableProtection } from '../aspects/table-protection';
import { BucketAccessLogs } from '../aspects/bucket-access-logs';
import { NagAcknowledgements } from '../aspects/nag-acknowledgements';
import { AuditLogResources } from '../constructs/audit-log';
import { IdempotencyTable } from '../constructs/idempotency-table';
import { NodeLambda } from '../constructs/node-lambda';
import { OrderServices } from '../constructs/order-services';
import { AnalysisServices } from '../constructs/analysis-services';
import { DeclaredFunction, type StepResources } from '../constructs/declared-function';
import { FUNCTIONS } from '../../lambdas/catalog';
import { HttpApi } from '../constructs/http-api';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECONDS, gatewayRoutes } from '../../api/specs/route-table';
import { DeploymentSettings, resolveDeploymentSettings } from './deployment-config';
import { Target } from './target';
import { EcsWorker } from '../constructs/ecs-worker';
import { WorkerImageRepository } from '../constructs/worker-image-repository';
import { Observability } from '../constructs/observability';
import { LambdaDefaults } from '../constructs/lambda-defaults';
import { TemporalAccess } from '../constructs/temporal-access';
import { PayloadKey } from '../constructs/payload-key';
import { grantBucketAccess, grantClaimChecks, type PrefixAccess } from '../constructs/bucket-access';
import { CLAIM_CHECK_PREFIX } from '../../runtime/claim-check/ref';
import { runsPrefix } from '../../runtime/checkpoints/layout';
import { CHECKPOINT_PREFIX } from '../../lambdas/shared/ml/prefixes';
import { StatusEvents } from '../constructs/status-events';
import { StackTriggers } from '../constructs/triggers/stack-triggers';

export interface SteplessStackProps extends StackProps, DeploymentSettings {
  readonly target: Target;
  /** The environment name: prefixes nothing, but is the API stage and a tag. */
  readonly stage: string;
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

const apiDir = join(__dirname, '..', '..', 'api');

/**
 * GET /trainings/{id}/checkpoints and /models/{id}/checkpoints (api/trainings.ts): the checkpoint
 * store lists a run's manifests and reads them; it never reads the checkpoint blobs.
 */
const CHECKPOINT_MANIFESTS = runsPrefix(CHECKPOINT_PREFIX);
const API_CHECKPOINT_ACCESS: PrefixAccess = { env: 'TRAINING_BUCKET', read: [CHECKPOINT_MANIFESTS], list: [CHECKPOINT_MANIFESTS] };

/** `orderPayment` → `OrderPayment`: a construct id from a function's logical name. */
function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function functionNamed(functions: Record<string, NodeLambda>, name: string): NodeLambda {
  const fn = functions[name];
  if (fn === undefined) throw new Error(`lambdas/catalog.ts declares no function named ${name}; the stack's outputs need it`);
  return fn;
}

export class SteplessStack extends Stack {
  constructor(scope: Construct, id: string, props: SteplessStackProps) {
    super(scope, id, props);
    const local = props.target === 'local';
    // Defaults per target and every rule checked up front (infra/stacks/deployment-config.ts).
    const settings = resolveDeploymentSettings(props.target, props);
    const taskQueue = settings.taskQueue;
    // Locally the stack is torn down with the local cloud; on AWS, data outlives a stack deletion.
    const removalPolicy = local ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    if (!local) {
      Aspects.of(this).add(new TableProtection());
      // Access logs of every bucket; the log bucket itself is the one bucket without them.
      const accessLogs = new s3.Bucket(this, 'AccessLogBucket', {
        removalPolicy,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        // S3 log delivery writes with SSE-S3 only.
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      });
      accessLogs.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [accessLogs.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }));
      Validations.of(accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log destination of every other bucket; logging it into itself would loop.' });
      Aspects.of(this).add(new BucketAccessLogs(accessLogs));
      // cdk-nag findings this stack accepts, each with its reason (test/unit/cdk-nag.test.ts runs the rules).
      Aspects.of(this).add(new NagAcknowledgements());
    }

    // What every function shares: tracing, the dead-letter queue for failed asynchronous
    // invocations and log retention on AWS (read by each NodeLambda).
    const deadLetterQueue = local
      ? undefined
      : new sqs.Queue(this, 'FunctionDeadLetterQueue', {
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        });
    if (deadLetterQueue) Validations.of(deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter destination of the functions\' asynchronous invocations (Lambda on-failure destination).' });
    new LambdaDefaults(this, {
      tracing: settings.tracing,
      deadLetterQueue,
      logRetention: local ? undefined : logs.RetentionDays.ONE_YEAR,
      reservedConcurrency: !local,
      removalPolicy,
    });
    // TEMPORAL_* and the credential secrets: the worker's, and the clients' (the API function).
    const temporal = new TemporalAccess(this, 'Temporal', settings);
    // Payload encryption (runtime/encryption): workflow inputs and results are encrypted with data
    // keys from this key before they reach Temporal.
    const payloadKey = settings.payloadEncryption ? new PayloadKey(this, 'PayloadKey', { removalPolicy }) : undefined;

    // Checkpoints, claim checks, reports. Versioned, so an overwritten or deleted object can be
    // recovered; on AWS encrypted with a customer-managed key (grants to the bucket include it,
    // infra/constructs/bucket-access.ts). Every grant on it is to key prefixes.
    const dataBucket = new s3.Bucket(this, 'DataBucket', {
      removalPolicy,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      ...(local
        ? { encryption: s3.BucketEncryption.S3_MANAGED }
        : { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(this, 'DataKey', { enableKeyRotation: true, removalPolicy, description: 'Stepless data bucket' }), bucketKeyEnabled: true }),
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { id: 'expire-claim-checks', prefix: CLAIM_CHECK_PREFIX, expiration: props.claimCheckRetention ?? Duration.days(400) },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });

    const jobsTable = new dynamodb.Table(this, 'JobsTable', {
      partitionKey: { name: 'jobId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy,
    });

    // Idempotency records of Lambda steps (runtime/idempotency); functions declare `idempotency: true`.
    const idempotency = new IdempotencyTable(this, 'Idempotency', { removalPolicy });

    // Audit log (runtime/audit/log): table, S3 anchors, signing key.
    const audit = new AuditLogResources(this, 'AuditLog', { target: props.target, removalPolicy, anchorRetention: props.auditAnchorRetention });

    // The example workflows' tables and buckets, one construct each (their ids keep the data's logical ids).
    const orderServices = new OrderServices(this, 'OrderServices', { target: props.target, removalPolicy });
    const analysisServices = new AnalysisServices(this, 'AnalysisServices', { target: props.target, removalPolicy });

    // Every Lambda function, from its declaration (lambdas/catalog.ts): settings, handler and
    // grants. Logical function name (what the worker maps steps to) → deployed function.
    const resources: StepResources = {
      buckets: { data: dataBucket, snapshots: analysisServices.snapshotBucket },
      tables: {
        jobs: jobsTable,
        inventory: orderServices.inventoryTable,
        payments: orderServices.paymentsTable,
        shipments: orderServices.shipmentsTable,
        analysis: analysisServices.table,
      },
      idempotency,
      claimCheckBucket: dataBucket,
    };
    const steps = new Construct(this, 'Steps');
    const workerFunctions: Record<string, NodeLambda> = Object.fromEntries(
      FUNCTIONS.map((declaration) => [declaration.name, new DeclaredFunction(steps, pascalCase(declaration.name), { declaration, target: props.target, resources }).lambda]),
    );

    // The long-lived worker: ECS Fargate on AWS; locally a process on this machine (infra/local/worker-service.ts).
    const worker = local ? undefined : new EcsWorker(this, 'Worker', { settings, stage: props.stage, functions: workerFunctions, removalPolicy });
    if (worker) {
      // Each grant also sets, in the worker's environment, the variable naming what it grants.
      temporal.grantWorkerConnection(worker);
      // Inputs and results above the threshold, on their way to and from the functions.
      grantClaimChecks(dataBucket, worker);
      audit.grantAppend(worker);
      payloadKey?.grantCodec(worker);
    }
    // Workflow status change events (docs/events-out.md): the bus the worker's status publisher puts them on, and its lease table.
    const statusEvents = new StatusEvents(this, 'StatusEvents', { removalPolicy });
    if (worker) statusEvents.grantPublisher(worker, settings.temporalUiUrl);
    // Where the image pipeline pushes the worker (docs/deploy-aws.md, "Image pipeline").
    if (!local) new WorkerImageRepository(this, 'WorkerImages', { stage: props.stage, removalPolicy });

    const apiHandler = new NodeLambda(this, 'ApiFunction', {
      entry: join(apiDir, 'handler.ts'),
      target: props.target,
      description: 'The HTTP API: starts and inspects workflows through the Temporal client',
      timeout: Duration.seconds(29),
      // In the worker's VPC when Temporal is reachable only from inside it (-c apiInVpc=true).
      ...(worker && settings.apiInVpc ? { vpc: worker.vpc } : {}),
      environment: { TASK_QUEUE: taskQueue },
    });
    // As for the worker, each grant sets the variable naming what it grants.
    temporal.grantClientConnection(apiHandler.fn);
    // Starting a workflow with a large input, or reading a large result, goes through the claim check.
    grantClaimChecks(dataBucket, apiHandler.fn);
    grantBucketAccess(dataBucket, apiHandler.fn, API_CHECKPOINT_ACCESS);
    audit.grantRead(apiHandler.fn);
    // The API encrypts workflow inputs it starts, decrypts results it shows, and serves the codec endpoint.
    payloadKey?.grantCodec(apiHandler.fn);

    // apiAuth=jwt: the token authorizer, which verifies bearer tokens against the issuer's published keys.
    const jwtAuthorizer = settings.jwt
      ? new NodeLambda(this, 'JwtAuthorizerFunction', {
          entry: join(apiDir, 'jwt-authorizer.ts'),
          target: props.target,
          description: 'The API\'s token authorizer: verifies JWT bearer tokens from the configured OIDC issuer',
          timeout: Duration.seconds(10),
        })
      : undefined;

    // Events in: EventBridge rules, a queue and inbox uploads that start workflows (docs/events.md).
    const triggers = new StackTriggers(this, 'Triggers', { bus: statusEvents.bus, target: props.target, temporal, taskQueue, claimCheckBucket: dataBucket, payloadKey, removalPolicy, ...(worker && settings.apiInVpc ? { vpc: worker.vpc } : {}) });

    // The REST API: a method per route of the route table, validated, throttled and authorized at
    // the edge as the deployment settings say (infra/constructs/http-api.ts).
    const api = new HttpApi(this, 'Api', {
      target: props.target,
      handler: apiHandler.fn,
      routes: gatewayRoutes,
      stageName: props.stage,
      description: 'Stepless: start and inspect durable workflows',
      auth: settings.apiAuth,
      ...(settings.jwt && jwtAuthorizer ? { jwt: { settings: settings.jwt, authorizer: jwtAuthorizer.fn } } : {}),
      throttle: { rateLimit: settings.apiThrottleRate, burstLimit: settings.apiThrottleBurst },
      quotaPerDay: settings.apiQuotaPerDay,
      corsOrigins: settings.corsOrigins,
      corsAllowMethods: CORS_ALLOWED_METHODS,
      // A browser signing with SigV4 (every route with iam; the codec with apiKey or none) sends its date and session token as headers.
      corsAllowHeaders: !local && settings.apiAuth !== 'jwt' ? [...CORS_ALLOWED_HEADERS, 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'] : CORS_ALLOWED_HEADERS,
      corsMaxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      tracing: settings.tracing,
      removalPolicy,
    });

    // LocalStack serves REST APIs under /_aws/execute-api/<id>/<stage>/ (no DNS needed).
    const apiUrl = local
      ? Fn.join('', [`${props.localEndpoint ?? 'http://127.0.0.1:4566'}/_aws/execute-api/`, api.restApi.restApiId, `/${props.stage}/`])
      : api.url;
    // What a client needs for the chosen authorization.
    if (api.apiKey) {
      new CfnOutput(this, 'ApiKeyId', { value: api.apiKey.keyId, description: 'The API key of the first client; send its value in the x-api-key header' });
      new CfnOutput(this, 'ApiKeyValueCommand', {
        value: `aws apigateway get-api-key --api-key ${api.apiKey.keyId} --include-value --query value --output text --region ${this.region}`,
        description: 'Prints the API key value',
      });
    }
    if (api.clientPolicy) {
      new CfnOutput(this, 'ApiClientPolicyArn', { value: api.clientPolicy.managedPolicyArn, description: 'Attach to applications\' roles: SigV4 calls to every route but the codec' });
    }
    if (api.operatorPolicy) {
      new CfnOutput(this, 'CodecOperatorPolicyArn', { value: api.operatorPolicy.managedPolicyArn, description: 'Attach to operators\' roles only: SigV4 calls to POST /codec/decode and /codec/encode, which decrypt payloads' });
    }

    // The dashboard and the alarms that page (AWS only: LocalStack has no dashboards to look at).
    if (worker && deadLetterQueue) {
      const observability = new Observability(this, 'Observability', {
        stage: props.stage,
        taskQueue,
        worker,
        functions: { ...workerFunctions, api: apiHandler, ...triggers.functions },
        api: api.restApi,
        deadLetterQueue,
        backlogPerTaskTarget: settings.workerBacklogPerTask,
        alarmEmail: settings.alarmEmail,
        removalPolicy,
      });
      new CfnOutput(this, 'DashboardName', { value: observability.dashboard.dashboardName });
      new CfnOutput(this, 'AlarmTopicArn', { value: observability.alarmTopic.topicArn, description: 'Subscribe on-call here (email, chat, pager)' });
      statusEvents.alarmOnFailures(observability.alarmTopic);
    }

    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'DataBucketName', { value: dataBucket.bucketName });
    new CfnOutput(this, 'JobsTableName', { value: jobsTable.tableName });
    new CfnOutput(this, 'TaskQueue', { value: taskQueue });
    // The worker maps the logical function names that workflows use to the deployed functions.
    new CfnOutput(this, 'WorkerFunctions', {
      value: Fn.toJsonString(Object.fromEntries(Object.entries(workerFunctions).map(([name, f]) => [name, f.fn.functionName]))),
      description: 'JSON map of logical function name to Lambda function name, for the worker',
    });
    new CfnOutput(this, 'TextStatsLogGroup', { value: functionNamed(workerFunctions, 'textStats').logGroupName });
    // What scripts invoke directly: npm run restock (inventory) and the analysis tests.
    new CfnOutput(this, 'OrderInventoryFunctionName', { value: functionNamed(workerFunctions, 'orderInventory').fn.functionName, description: 'Invoke its restockSku step to seed stock (npm run restock)' });
    new CfnOutput(this, 'AnalyzeFileFunctionName', { value: functionNamed(workerFunctions, 'analyzeFile').fn.functionName });
    new CfnOutput(this, 'ApiLogGroup', { value: apiHandler.logGroupName });
    // Every log group `npm run logs` merges: the worker's and each function's, by logical name.
    new CfnOutput(this, 'LogGroups', {
      value: Fn.toJsonString({
        ...(worker ? { worker: worker.logGroup.logGroupName } : {}),
        api: apiHandler.logGroupName,
        ...Object.fromEntries(Object.entries({ ...workerFunctions, ...triggers.functions }).map(([name, f]) => [name, f.logGroupName])),
      }),
      description: 'JSON map of source name to CloudWatch Logs group, for npm run logs',
    });
    if (worker) {
      new CfnOutput(this, 'WorkerLogGroup', { value: worker.logGroup.logGroupName });
      new CfnOutput(this, 'WorkerService', { value: worker.service.serviceName, description: 'ECS service running the worker' });
      new CfnOutput(this, 'WorkerCluster', { value: worker.cluster.clusterName });
    }
    if (deadLetterQueue) new CfnOutput(this, 'FunctionDeadLetterQueueUrl', { value: deadLetterQueue.queueUrl, description: 'Failed asynchronous Lambda invocations' });
    if (payloadKey) new CfnOutput(this, 'PayloadKeyArn', { value: payloadKey.key.keyArn, description: 'KMS key encrypting workflow payloads (PAYLOAD_KMS_KEY_ID)' });
    new CfnOutput(this, 'IdempotencyTableName', { value: idempotency.table.tableName });
    new CfnOutput(this, 'StatusEventBusName', { value: statusEvents.bus.eventBusName, description: 'Workflow status change events (source "stepless"): subscribe with a rule on this bus' });
    new CfnOutput(this, 'StatusEventBusArn', { value: statusEvents.bus.eventBusArn });
    new CfnOutput(this, 'StatusEventsTableName', { value: statusEvents.table.tableName, description: 'The status publisher\'s lease and cursor' });
    new CfnOutput(this, 'AuditTableName', { value: audit.table.tableName });
    new CfnOutput(this, 'AuditAnchorBucketName', { value: audit.anchorBucket.bucketName });
    new CfnOutput(this, 'AuditSigningKeyArn', { value: audit.signingKey.keyArn, description: 'KMS key that signs audit tree heads on AWS (public key: kms get-public-key)' });
  }
}

import { join } from 'node:path';
import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTIONS } from '../../lambdas/catalog';
import { METRICS_NAMESPACE, TASK_QUEUE_DIMENSION, WorkerMetrics } from '../../worker/metrics/names';
import { shutdownTiming, shutdownTimingWarning } from '../../worker/shutdown-timing';
import { DEFAULT_PROTECTION_MINUTES } from '../../worker/task-protection';
import type { ResolvedDeploymentSettings } from '../stacks/deployment-config';
import type { IEnvironmentGrantee } from './environment-grantee';
import type { NodeLambda } from './node-lambda';

export interface EcsWorkerProps {
  readonly settings: ResolvedDeploymentSettings;
  readonly stage: string;
  /** Logical function name (what workflows pass to lambdaFunction()) → deployed function. */
  readonly functions: Record<string, NodeLambda>;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The stop timeout and the worker's shutdown grace, from the longest declared step (lambdas/catalog.ts)
 * plus margins, capped at Fargate's 120 s (worker/shutdown-timing.ts); synthesis warns when that cap bites.
 */
const TIMING = shutdownTiming(FUNCTIONS);
const HEALTH_PORT = 8080;
const METRICS_INTERVAL = Duration.seconds(60);

/**
 * The long-lived worker on ECS Fargate: the repo's Dockerfile (or a prebuilt image), in private
 * subnets of a new or imported VPC, with egress only to HTTPS (AWS APIs) and the Temporal
 * frontend's port. It scales on CPU and on the task-queue backlog per worker that the worker
 * itself publishes (worker/metrics/), and deploys with rolling replacement that never drops below
 * the desired count, so running workflows keep being served during a deploy.
 *
 * Everything else it uses (Temporal, the data bucket, the audit log, the payload key) is granted
 * by that resource's grant method, with the worker as the grantee: the grant goes to the task role
 * and the variable naming the resource to the container's environment.
 */
export class EcsWorker extends Construct implements IEnvironmentGrantee {
  readonly grantPrincipal: iam.IPrincipal;
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;
  /** Tasks waiting per worker, as the autoscaling policy sees it. */
  readonly backlogPerWorker: cloudwatch.Metric;
  private readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: EcsWorkerProps) {
    super(scope, id);
    const { settings } = props;
    this.vpc = settings.vpcId ? ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: settings.vpcId }) : this.createVpc(settings.natGateways, props.removalPolicy);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/stepless/${props.stage}/worker`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: settings.workerCpu,
      memoryLimitMiB: settings.workerMemoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      // The root filesystem is read-only; Node and the Temporal core may still want a scratch /tmp.
      volumes: [{ name: 'tmp' }],
    });

    const image = settings.workerImage
      ? this.prebuiltImage(settings.workerImage)
      : ecs.ContainerImage.fromAsset(join(__dirname, '..', '..'), { file: 'Dockerfile', platform: Platform.LINUX_ARM64 });

    this.grantPrincipal = this.taskDefinition.taskRole;
    const container = this.taskDefinition.addContainer('Worker', {
      image,
      essential: true,
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(TIMING.stopTimeoutSeconds),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'worker', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      environment: this.environment(props),
      healthCheck: {
        // The worker answers /healthz with 200 only while it polls (worker/health.ts).
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${HEALTH_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
    });
    container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });
    this.container = container;

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Stepless worker: no inbound; outbound HTTPS (AWS APIs) and the Temporal frontend',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (Lambda, S3, DynamoDB, KMS, Secrets Manager, CloudWatch)');
    const temporalPort = Number(settings.temporalAddress.split(':').at(-1));
    if (temporalPort !== 443) securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(temporalPort), 'Temporal frontend (gRPC)');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: settings.workerMinTasks,
      // Zero downtime: new tasks start (and poll) before old ones get SIGTERM and drain.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      securityGroups: [securityGroup],
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    this.grantWorkerAccess(props);
    this.grantTaskProtection();
    const timingWarning = shutdownTimingWarning(TIMING);
    if (timingWarning) Annotations.of(this).addWarningV2('stepless:worker-stop-timeout', timingWarning);
    Validations.of(this.taskDefinition).acknowledge(
      {
        id: 'AwsSolutions-ECS2',
        reason: 'The environment holds configuration only (addresses, names, ARNs); Temporal credentials are fetched from Secrets Manager by the worker, and a test asserts no key material in the template.',
      },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ecr:GetAuthorizationToken (execution role) and cloudwatch:PutMetricData (task role, limited to the Stepless namespace by condition) have no resource-level permissions.' },
    );

    const dimensionsMap = { [TASK_QUEUE_DIMENSION]: settings.taskQueue };
    this.backlogPerWorker = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: WorkerMetrics.backlogPerWorker,
      dimensionsMap,
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: settings.workerMinTasks, maxCapacity: settings.workerMaxTasks });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) });
    scaling.scaleToTrackCustomMetric('Backlog', {
      metric: this.backlogPerWorker,
      targetValue: settings.workerBacklogPerTask,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
  }

  /**
   * A prebuilt image: from an ECR repository (of any account) the execution role is granted pull
   * on; from any other registry as a public image.
   */
  private prebuiltImage(uri: string): ecs.ContainerImage {
    const ecrImage = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)(?::([\w.-]+)|@(sha256:[0-9a-f]{64}))?$/.exec(uri);
    if (!ecrImage) return ecs.ContainerImage.fromRegistry(uri);
    const [, account, region, name, tag, digest] = ecrImage;
    const repository = ecr.Repository.fromRepositoryAttributes(this, 'WorkerRepository', {
      repositoryName: name!,
      repositoryArn: `arn:${Stack.of(this).partition}:ecr:${region}:${account}:repository/${name}`,
    });
    return ecs.ContainerImage.fromEcrRepository(repository, digest ?? tag ?? 'latest');
  }

  private createVpc(natGateways: number, removalPolicy: RemovalPolicy): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // S3 and DynamoDB traffic stays off the NAT gateway (gateway endpoints cost nothing).
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    const flowLogs = new logs.LogGroup(this, 'VpcFlowLogs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy });
    vpc.addFlowLog('FlowLogs', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.REJECT });
    return vpc;
  }

  /** Sets a variable of the worker's container: how a grant names what it granted (IEnvironmentGrantee). */
  addEnvironment(name: string, value: string): void {
    this.container.addEnvironment(name, value);
  }

  /**
   * The worker's own configuration (worker/config.ts); what a grant gives it (TEMPORAL_*,
   * CLAIM_CHECK_BUCKET, AUDIT_*, PAYLOAD_KMS_KEY_ID) that grant sets. Secret ARNs only, never values.
   */
  private environment(props: EcsWorkerProps): Record<string, string> {
    const { settings } = props;
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: 'INFO',
      TASK_QUEUE: settings.taskQueue,
      STEPLESS_FUNCTIONS: Stack.of(this).toJsonString(Object.fromEntries(Object.entries(props.functions).map(([name, f]) => [name, f.fn.functionName]))),
      WORKER_SHUTDOWN_GRACE_MS: String(TIMING.graceSeconds * 1000),
      // How long one busy period keeps the task from a scale-in or a deploy (worker/task-protection.ts).
      WORKER_SCALE_IN_PROTECTION_MINUTES: String(DEFAULT_PROTECTION_MINUTES),
      WORKER_HEALTH_PORT: String(HEALTH_PORT),
      WORKER_METRICS_INTERVAL_MS: String(METRICS_INTERVAL.toMilliseconds()),
    };
  }

  /**
   * The worker sets its own task's scale-in protection through the ECS agent (worker/task-protection.ts),
   * which calls UpdateTaskProtection with the task role: only on this cluster's tasks.
   */
  private grantTaskProtection(): void {
    const tasksOfThisCluster = Stack.of(this).formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'], resources: [tasksOfThisCluster] }));
    Validations.of(this.taskDefinition).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<${Stack.of(this).getLogicalId(this.cluster.node.defaultChild as ecs.CfnCluster)}>/*]`,
      reason: 'Task ARNs are known only at run time; the worker protects its own task from scale-in, and the grant is limited to the tasks of this one cluster.',
    });
  }

  /** What the worker itself needs: invoking its step functions, and publishing its metrics. */
  private grantWorkerAccess(props: EcsWorkerProps): void {
    const role = this.taskDefinition.taskRole;
    for (const f of Object.values(props.functions)) f.fn.grantInvoke(role);
    // PutMetricData has no resource-level permissions; the condition keeps the worker to its own namespace.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    }));
  }
}

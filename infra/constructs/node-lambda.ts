import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LambdaDefaults } from './lambda-defaults';
import { Target } from '../stacks/target';

export interface NodeLambdaProps {
  /** The handler module; its `handler` export is the entry point. */
  readonly entry: string;
  readonly target: Target;
  readonly description: string;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /**
   * Concurrent executions reserved for (and capped at) this number on AWS: for a function that
   * protects a downstream (a payment provider, a rate-limited API). Excess invocations are
   * throttled, which the Lambda bridge retries as a Temporal activity retry.
   */
  readonly reservedConcurrency?: number;
  /**
   * Run in this VPC's private subnets (egress through its NAT gateway), to reach a service that
   * only listens inside it, such as a self-hosted Temporal frontend.
   */
  readonly vpc?: ec2.IVpc;
  /** Shell commands run after esbuild, to ship files the bundle reads from disk (see analysis-services.ts). */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
}

/**
 * A Node.js Lambda function as this project deploys it: bundled by the local esbuild (never by
 * Docker), with the AWS SDK bundled in so the same artifact runs on AWS and in LocalStack's
 * Docker-free executor, where no SDK is preinstalled. Access to the stack's data is not given here:
 * each resource's grant method gives it, and sets the variable that names the resource.
 */
export class NodeLambda extends Construct {
  readonly fn: NodejsFunction;
  /**
   * Where the function logs. Not `fn.logGroup`: without an explicit group that getter adds a
   * log-retention custom resource (one more function) to the stack.
   */
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: NodeLambdaProps) {
    super(scope, id);
    const local = props.target === 'local';
    const defaults = LambdaDefaults.of(this)?.props;
    const logGroup = defaults?.logRetention ? new logs.LogGroup(this, 'Logs', { retention: defaults.logRetention, removalPolicy: defaults.removalPolicy }) : undefined;
    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: local ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      description: props.description,
      ...(props.vpc ? { vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } } : {}),
      tracing: defaults?.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      ...(defaults?.reservedConcurrency && props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      ...(logGroup ? { logGroup } : {}),
      ...(defaults?.deadLetterQueue
        ? { onFailure: new destinations.SqsDestination(defaults.deadLetterQueue), retryAttempts: 2, maxEventAge: LambdaDefaults.MAX_EVENT_AGE }
        : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // Powertools Tracer (runtime/steps/telemetry.ts) records subsegments only where X-Ray traces the function.
        POWERTOOLS_TRACE_ENABLED: defaults?.tracing ? 'true' : 'false',
        // LocalStack serves S3 on one host name, so buckets are addressed by path there.
        ...(local ? { S3_FORCE_PATH_STYLE: 'true' } : {}),
        ...props.environment,
      },
      bundling: {
        bundleAwsSDK: true,
        sourceMap: true,
        target: 'node20',
        forceDockerBundling: false,
        ...(props.afterBundling
          ? { commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: props.afterBundling } }
          : {}),
      },
    });
    this.logGroupName = logGroup ? logGroup.logGroupName : `/aws/lambda/${this.fn.functionName}`;
  }
}

import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
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
   * The claim-check bucket: inputs and results above the threshold travel through it. The function
   * gets read/write on it and CLAIM_CHECK_BUCKET in its environment.
   */
  readonly claimCheckBucket?: s3.IBucket;
  /** Shell commands run after esbuild, to ship files the bundle reads from disk (see analysis-services.ts). */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
}

/**
 * A Node.js Lambda function as this project deploys it: bundled by the local esbuild (never by
 * Docker), with the AWS SDK bundled in so the same artifact runs on AWS and in LocalStack's
 * Docker-free executor, where no SDK is preinstalled.
 */
export class NodeLambda extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: NodeLambdaProps) {
    super(scope, id);
    const local = props.target === 'local';
    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: local ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      description: props.description,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // LocalStack serves S3 on one host name, so buckets are addressed by path there.
        ...(local ? { S3_FORCE_PATH_STYLE: 'true' } : {}),
        ...(props.claimCheckBucket ? { CLAIM_CHECK_BUCKET: props.claimCheckBucket.bucketName } : {}),
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
    props.claimCheckBucket?.grantReadWrite(this.fn);
  }
}

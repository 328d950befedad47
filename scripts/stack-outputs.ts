import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { awsRegion, localAwsClientConfig } from '../infra/local/config';
import { LOCAL_STACK_NAME, readStackOutputs } from '../infra/local/deploy';

/**
 * Where a script finds the deployed stack: by default the local one (the outputs file `npm start`
 * wrote, its services on LocalStack); with `--stack <name> [--region <region>]` any deployed stack,
 * read with CloudFormation DescribeStacks through the default AWS credential chain and region.
 */
export interface DeployedStack {
  name: string;
  region: string;
  /** Every CloudFormation output of the stack, by output key. */
  outputs: Record<string, string>;
  /** AWS SDK client settings that reach the stack's services (LocalStack's endpoint for the local stack). */
  clientConfig: AwsClientConfig;
}

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A problem the user fixes (a missing stack, region or credentials); the message says how. */
export class StackOutputsError extends Error {
  override readonly name = 'StackOutputsError';
}

/** The stack named by `--stack` (and `--region`), or the local stack when no name is given. */
export async function findDeployedStack(options: { stack?: string; region?: string } = {}): Promise<DeployedStack> {
  if (options.stack === undefined) {
    if (options.region !== undefined) throw new StackOutputsError('--region needs --stack <name>: the local stack is always reached through LocalStack');
    return localStack();
  }
  return describeStack(options.stack, options.region);
}

/** The local stack, from the outputs file its last `cdk deploy` wrote. */
export function localStack(): DeployedStack {
  return { name: LOCAL_STACK_NAME, region: awsRegion, outputs: { ...readStackOutputs() }, clientConfig: localAwsClientConfig };
}

/**
 * A deployed stack's outputs through CloudFormation DescribeStacks. The region is `region` or the
 * SDK's default (AWS_REGION, the profile's region); AWS_ENDPOINT_URL is honoured like any SDK client's.
 */
export async function describeStack(stackName: string, region?: string): Promise<DeployedStack> {
  const cloudFormation = new CloudFormationClient(region === undefined ? {} : { region });
  let resolvedRegion: string;
  try {
    resolvedRegion = await cloudFormation.config.region();
  } catch {
    throw new StackOutputsError(`no AWS region for stack ${stackName}: pass --region <region>, or set AWS_REGION (or a region in your AWS profile)`);
  }
  try {
    const res = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = res.Stacks?.[0];
    if (stack === undefined) throw new StackOutputsError(notFound(stackName, resolvedRegion));
    const outputs: Record<string, string> = {};
    for (const o of stack.Outputs ?? []) if (o.OutputKey !== undefined && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
    return { name: stackName, region: resolvedRegion, outputs, clientConfig: { region: resolvedRegion } };
  } catch (err) {
    throw explainAwsError(err, stackName, resolvedRegion);
  } finally {
    cloudFormation.destroy();
  }
}

const notFound = (stackName: string, region: string) => `stack ${stackName} not found in region ${region} (deploy it, or pass --region)`;

const CREDENTIALS_HELP =
  'configure them with `aws configure` (access keys) or `aws configure sso` then `aws sso login`, and pick the profile with AWS_PROFILE; or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)';

/** Rejected credentials, by the error names AWS services use for them. */
const REJECTED_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch']);

/**
 * The error a user can act on for a failed DescribeStacks: a missing stack, missing or rejected
 * credentials, or a denied call; anything else is returned unchanged.
 */
export function explainAwsError(err: unknown, stackName: string, region: string): unknown {
  if (!(err instanceof Error) || err instanceof StackOutputsError) return err;
  if (err.name === 'ValidationError' && /does not exist/.test(err.message)) return new StackOutputsError(notFound(stackName, region));
  if (err.name === 'CredentialsProviderError') return new StackOutputsError(`no AWS credentials found (${err.message}): ${CREDENTIALS_HELP}`);
  if (REJECTED_CREDENTIALS.has(err.name)) return new StackOutputsError(`AWS rejected the credentials (${err.name}: ${err.message}): refresh them (\`aws sso login\`, or new keys); ${CREDENTIALS_HELP}`);
  if (err.name === 'AccessDenied' || err.name === 'AccessDeniedException') {
    return new StackOutputsError(`the AWS credentials may not read stack ${stackName} in region ${region} (${err.message}): they need cloudformation:DescribeStacks`);
  }
  return err;
}

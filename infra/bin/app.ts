import { App } from 'aws-cdk-lib';
import { awsEndpoint, temporalAddress } from '../local/config';
import { SteplessStack } from '../stacks/stepless-stack';
import { parseTarget } from '../stacks/target';
import { deploymentSettingsFromContext } from '../stacks/deployment-config';

/**
 * One app, two targets: `-c target=local` (the default, LocalStack on this machine) and
 * `-c target=aws`. Differences between them are props of the same stack, never a copy of it.
 */
const app = new App();
const target = parseTarget(app.node.tryGetContext('target'));
const settings = deploymentSettingsFromContext((key) => app.node.tryGetContext(key));
const stage = String(app.node.tryGetContext('stage') ?? (target === 'local' ? 'local' : 'prod'));

new SteplessStack(app, `Stepless-${stage}`, {
  target,
  stage,
  // Every deployment choice (infra/stacks/deployment-config.ts), from -c key=value or cdk.json.
  ...settings,
  // Locally the API function runs on this machine, next to the Temporal dev server.
  temporalAddress: settings.temporalAddress ?? (target === 'local' ? temporalAddress : undefined),
  localEndpoint: target === 'local' ? awsEndpoint : undefined,
  env: target === 'local' ? { account: '000000000000', region: process.env.AWS_REGION ?? 'us-east-1' } : awsEnvironment(settings.vpcId),
});

/**
 * The account and region the CLI resolved from your credentials (CDK_DEFAULT_*). Importing a VPC
 * looks it up in that account, so it needs them; otherwise the template stays environment-agnostic
 * when no credentials are configured (synthesis on a machine without an AWS account).
 */
function awsEnvironment(vpcId: string | undefined): { account?: string; region?: string } {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  if (vpcId && (!account || !region)) {
    throw new Error(`context value "vpcId" imports ${vpcId}, which CDK looks up in your account: configure AWS credentials and a region (aws configure, or AWS_PROFILE / AWS_REGION) so the CLI can resolve the account`);
  }
  return { account, region };
}

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
  env: target === 'local' ? { account: '000000000000', region: process.env.AWS_REGION ?? 'us-east-1' } : undefined,
});

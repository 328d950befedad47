import { App } from 'aws-cdk-lib';
import { awsEndpoint, temporalAddress } from '../local/config';
import { SteplessStack } from '../stacks/stepless-stack';
import { parseTarget } from '../stacks/target';

/**
 * One app, two targets: `-c target=local` (the default, LocalStack on this machine) and
 * `-c target=aws`. Differences between them are props of the same stack, never a copy of it.
 */
const app = new App();
const target = parseTarget(app.node.tryGetContext('target'));
const stage = String(app.node.tryGetContext('stage') ?? (target === 'local' ? 'local' : 'prod'));

new SteplessStack(app, `Stepless-${stage}`, {
  target,
  stage,
  // Locally the API function runs on this machine, next to the Temporal dev server.
  temporalAddress: (app.node.tryGetContext('temporalAddress') as string | undefined) ?? (target === 'local' ? temporalAddress : undefined),
  localEndpoint: target === 'local' ? awsEndpoint : undefined,
  temporalNamespace: app.node.tryGetContext('temporalNamespace') as string | undefined,
  env: target === 'local' ? { account: '000000000000', region: process.env.AWS_REGION ?? 'us-east-1' } : undefined,
});

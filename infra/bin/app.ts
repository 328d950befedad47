import { App } from 'aws-cdk-lib';
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
  temporalAddress: app.node.tryGetContext('temporalAddress') as string | undefined,
  temporalNamespace: app.node.tryGetContext('temporalNamespace') as string | undefined,
  env: target === 'local' ? { account: '000000000000', region: process.env.AWS_REGION ?? 'us-east-1' } : undefined,
});

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { DeploymentSettings } from '../../infra/stacks/deployment-config';
import { SteplessStack } from '../../infra/stacks/stepless-stack';
import type { Target } from '../../infra/stacks/target';

export const TEST_TEMPORAL_ADDRESS = 'my-ns.a1b2c.tmprl.cloud:7233';

/** The settings that choose how to reach Temporal; the AWS target refuses none of them set. */
const TEMPORAL_TRANSPORT_KEYS = ['temporalTls', 'temporalTlsSecretArn', 'temporalApiKeySecretArn', 'temporalInsecure'] as const;

/**
 * The stack's template for assertions about resources and policies. Bundling is skipped
 * (`aws:cdk:bundling-stacks` empty: CDK's own switch for this), because what these tests check
 * does not depend on the bundle; test/unit/stack.test.ts and every local deploy bundle for real.
 */
export function synthTemplate(target: Target, settings: DeploymentSettings = {}, env?: { account: string; region: string }, context: Record<string, unknown> = {}): { template: Template; stack: SteplessStack } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new SteplessStack(app, `Test-${target}`, {
    target,
    stage: target === 'local' ? 'local' : 'prod',
    ...(target === 'aws' ? { temporalAddress: TEST_TEMPORAL_ADDRESS } : {}),
    // On AWS, a test that does not choose how to reach Temporal gets TLS with the system CAs.
    ...(target === 'aws' && TEMPORAL_TRANSPORT_KEYS.every((k) => settings[k] === undefined) ? { temporalTls: true } : {}),
    ...settings,
    ...(env ? { env } : {}),
  });
  return { template: Template.fromStack(stack), stack };
}

/**
 * What `cdk synth` caches in cdk.context.json after looking up an existing VPC (`-c vpcId=...`):
 * two AZs, a private subnet with egress in each. Tests pass it so an imported VPC has realistic ids.
 */
export function importedVpcContext(account: string, region: string, vpcId: string): Record<string, unknown> {
  return {
    [`vpc-provider:account=${account}:filter.vpc-id=${vpcId}:region=${region}:returnAsymmetricSubnets=true`]: {
      vpcId,
      vpcCidrBlock: '10.20.0.0/16',
      ownerAccountId: account,
      availabilityZones: [],
      subnetGroups: [
        {
          name: 'private',
          type: 'Private',
          subnets: [
            { subnetId: 'subnet-0aaaaaaaaaaaaaaa1', cidr: '10.20.0.0/20', availabilityZone: `${region}a`, routeTableId: 'rtb-0aaaaaaaaaaaaaaa1' },
            { subnetId: 'subnet-0bbbbbbbbbbbbbbb2', cidr: '10.20.16.0/20', availabilityZone: `${region}b`, routeTableId: 'rtb-0bbbbbbbbbbbbbbb2' },
          ],
        },
      ],
    },
  };
}

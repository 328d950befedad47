import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { DeploymentSettings } from '../../infra/stacks/deployment-config';
import { SteplessStack } from '../../infra/stacks/stepless-stack';
import { TEST_TEMPORAL_ADDRESS } from '../support/synth';

interface Report {
  pluginReports: Array<{ violations: Array<{ ruleName: string; description: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
}

/**
 * cdk-nag's AWS Solutions rules over the AWS target. Synthesis fails on any finding that is not
 * acknowledged in the code with a reason (infra/aspects/nag-acknowledgements.ts and next to the
 * resources), and the failure lists each finding with the construct it is on.
 */
function nag(settings: DeploymentSettings): { findings: string[]; app: App } {
  const outdir = mkdtempSync(join(tmpdir(), 'stepless-nag-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  new SteplessStack(app, 'Nag', { target: 'aws', stage: 'prod', temporalAddress: TEST_TEMPORAL_ADDRESS, temporalTls: true, ...settings });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    return { findings: [], app };
  } catch {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const findings = report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}: ${v.description}`)));
    return { findings: findings.length > 0 ? findings : ['synthesis failed without a report'], app };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function acknowledgements(root: IConstruct): Array<{ id: string; reason: string }> {
  return root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    // Each entry maps acknowledged rule ids to their reasons.
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })));
}

describe('cdk-nag AwsSolutions', () => {
  it.each<[string, DeploymentSettings]>([
    ['the default AWS deployment (IAM authorization, tracing, payload encryption, a new VPC)', {}],
    ['API keys, Temporal Cloud API keys (the clients\' their own), CORS, no tracing, the API in the VPC', { apiAuth: 'apiKey', apiInVpc: true, temporalApiKeySecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:temporal-AbCdEf', temporalClientApiKeySecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:temporal-client-GhIjKl', corsOrigins: ['https://ops.example.com'], tracing: false }],
    ['JWT bearer tokens from a Cognito user pool', { apiAuth: 'jwt', jwtIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123', jwtAudience: ['app-client-1'] }],
  ])('passes for %s', (_name, settings) => {
    const { findings, app } = nag(settings);
    expect(findings).toEqual([]);
    // Every acknowledgement says why.
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(10);
    for (const a of acks.filter((x) => x.id.includes('AwsSolutions-'))) expect(a.reason.length).toBeGreaterThanOrEqual(40);
  });

  it('fails on a finding nobody acknowledged', () => {
    // Same rules, one unacknowledged wildcard added: the test above would catch a regression like it.
    const outdir = mkdtempSync(join(tmpdir(), 'stepless-nag-'));
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new SteplessStack(app, 'Nag', { target: 'aws', stage: 'prod', temporalAddress: TEST_TEMPORAL_ADDRESS, temporalTls: true });
    new iam.Role(stack, 'TooBroad', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
    const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
    rmSync(outdir, { recursive: true, force: true });
    expect(report).toContain('AwsSolutions-IAM5[Action::dynamodb:*]');
    expect(report).toContain('Nag/TooBroad');
  });
});

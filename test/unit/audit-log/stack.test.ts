import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SteplessStack } from '../../../infra/stacks/stepless-stack';

/** The audit log's resources in the synthesized templates of both targets. */
const synth = (target: 'local' | 'aws', extra: { auditAnchorRetention?: Duration } = {}) =>
  Template.fromStack(new SteplessStack(new App(), `Audit-${target}`, { target, stage: target === 'local' ? 'local' : 'prod', ...(target === 'aws' ? { temporalAddress: 'my-ns.a1b2c.tmprl.cloud:7233', temporalTls: true } : {}), ...extra }));

describe('audit log resources', () => {
  const local = synth('local');
  const aws = synth('aws', { auditAnchorRetention: Duration.days(30) });

  it('has one on-demand table keyed by logId and sk, kept and recoverable on AWS', () => {
    for (const t of [local, aws]) {
      t.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'logId', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      });
    }
    aws.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: Match.arrayWith([{ AttributeName: 'sk', KeyType: 'RANGE' }]), PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
  });

  it('anchors in a bucket with Object Lock in compliance mode on AWS (retention from props), plain locally', () => {
    aws.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(Object.values(local.findResources('AWS::S3::Bucket')).some((b) => JSON.stringify(b).includes('ObjectLock'))).toBe(false);
  });

  it('has an ECC_NIST_P256 signing key', () => {
    for (const t of [local, aws]) t.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('gives the API the table name, and outputs what the worker and the verifier need', () => {
    local.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ AUDIT_TABLE: Match.anyValue(), TEMPORAL_ADDRESS: Match.anyValue() }) } });
    for (const name of ['AuditTableName', 'AuditAnchorBucketName', 'AuditSigningKeyArn']) expect(Object.keys(local.findOutputs(name))).toEqual([name]);
  });
});

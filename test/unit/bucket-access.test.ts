import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CLAIM_CHECK_ACCESS, grantBucketAccess, grantClaimChecks } from '../../infra/constructs/bucket-access';
import { CLAIM_CHECK_PREFIX } from '../../runtime/claim-check/ref';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** One KMS-encrypted bucket and three functions: a reader, a writer, a claim-check user. */
function setUp() {
  const stack = new Stack(new App(), 'T');
  const bucket = new s3.Bucket(stack, 'Data', { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(stack, 'Key') });
  const fn = (id: string) => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
  const reader = fn('Reader');
  const writer = fn('Writer');
  const claims = fn('Claims');
  const readGrant = grantBucketAccess(bucket, reader, { env: 'READ_BUCKET', read: ['in/'], list: ['in/'] });
  grantBucketAccess(bucket, writer, { env: 'WRITE_BUCKET', write: ['out/'], delete: ['out/tmp/'] });
  grantClaimChecks(bucket, claims);
  return { stack, reader, readGrant, template: Template.fromStack(stack) };
}

describe('bucket access grants', () => {
  const { stack, reader, readGrant, template } = setUp();
  const statementsOf = (policyPrefix: string) =>
    (Object.entries(template.findResources('AWS::IAM::Policy')) as Array<[string, { Properties: { PolicyDocument: { Statement: Statement[] } } }]>)
      .filter(([id]) => id.startsWith(policyPrefix))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] }, `/${prefix}*`]] });
  const bucketArn = { 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] };
  const keyArn = { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] };

  it('grants exactly the declared actions on the declared prefixes, listing under a prefix condition, and Decrypt only to a reader', () => {
    expect(readGrant.success).toBe(true);
    expect(statementsOf('ReaderServiceRole')).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: objects('in/') }),
      expect.objectContaining({ Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['in/*'] } } }),
      expect.objectContaining({ Action: 'kms:Decrypt', Resource: keyArn }),
    ]);
  });

  it('gives a writer PutObject (and aborts of its uploads) and GenerateDataKey, never Encrypt or ReEncrypt', () => {
    expect(statementsOf('WriterServiceRole')).toEqual([
      expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects('out/') }),
      expect.objectContaining({ Action: 's3:DeleteObject', Resource: objects('out/tmp/') }),
      expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn }),
    ]);
  });

  it('confines claim checks to their prefix, with the unconditioned ListBucket a HEAD of a missing object needs to answer 404', () => {
    expect(CLAIM_CHECK_ACCESS.read).toEqual([CLAIM_CHECK_PREFIX]);
    expect(statementsOf('ClaimsServiceRole')).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: objects(CLAIM_CHECK_PREFIX) }),
      expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects(CLAIM_CHECK_PREFIX) }),
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
      expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn }),
    ]);
  });

  it('sets the variable naming the bucket in each grantee\'s environment', () => {
    for (const name of ['READ_BUCKET', 'WRITE_BUCKET', 'CLAIM_CHECK_BUCKET']) {
      const fns = (Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Environment?: { Variables: Record<string, unknown> } } }>).filter((f) => f.Properties.Environment?.Variables[name] !== undefined);
      expect([name, fns.map((f) => f.Properties.Environment!.Variables[name])]).toEqual([name, [{ Ref: expect.stringMatching(/^Data/) }]]);
    }
  });

  it('acknowledges for cdk-nag only the object ARNs it granted, on the role holding them', () => {
    // CDK records each id under its namespace (`Annotation::<id>`).
    const acks = reader.role!.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, string>))
      .map((id) => id.slice(id.indexOf('AwsSolutions-')));
    const bucketId = stack.getLogicalId(stack.node.findChild('Data').node.defaultChild as s3.CfnBucket);
    expect(acks).toEqual([`AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/in/*]`]);
  });
});

import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SteplessStack } from '../../infra/stacks/stepless-stack';
import { parseTarget, type Target } from '../../infra/stacks/target';

/** What the stack promises, asserted on the synthesized template (bundling runs the local esbuild). */
function synth(target: Target): Template {
  const app = new App();
  const stack = new SteplessStack(app, `Test-${target}`, { target, stage: target === 'local' ? 'local' : 'prod', ...(target === 'aws' ? { temporalAddress: 'my-ns.a1b2c.tmprl.cloud:7233', temporalTls: true } : {}) });
  return Template.fromStack(stack);
}

describe('SteplessStack', () => {
  const local = synth('local');
  const aws = synth('aws');

  it('has a private, encrypted, TLS-only bucket', () => {
    for (const t of [local, aws]) {
      t.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: Match.objectLike({}),
      });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('versions the data bucket, expires old claim checks and old versions, and encrypts it with a rotating KMS key on AWS', () => {
    for (const t of [local, aws]) {
      t.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ Id: 'expire-claim-checks', Prefix: 'claim-checks/', ExpirationInDays: 400, Status: 'Enabled' }),
            Match.objectLike({ Id: 'expire-old-versions', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          ]),
        },
      });
    }
    aws.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }), BucketKeyEnabled: true })] },
    });
    aws.hasResourceProperties('AWS::KMS::Key', { Description: 'Stepless data bucket', EnableKeyRotation: true });
  });

  it('gives every DynamoDB table point-in-time recovery and deletion protection on AWS, and none locally', () => {
    const tables = Object.values(aws.findResources('AWS::DynamoDB::Table')) as Array<{ Properties: Record<string, unknown> }>;
    expect(tables.length).toBeGreaterThanOrEqual(7);
    for (const t of tables) {
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(t.Properties.DeletionProtectionEnabled).toBe(true);
    }
    for (const t of Object.values(local.findResources('AWS::DynamoDB::Table')) as Array<{ Properties: Record<string, unknown> }>) {
      expect(t.Properties.DeletionProtectionEnabled).toBeUndefined();
    }
  });

  it('refuses to synthesize the AWS target without a Temporal address', () => {
    expect(() => new SteplessStack(new App(), 'NoAddress', { target: 'aws', stage: 'prod' })).toThrow('-c temporalAddress=<host:port>');
  });

  it('keeps data on AWS when the stack is deleted, and not locally', () => {
    aws.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    local.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('deploys every function on Node.js 22, ARM64 on AWS: the API, the triggers and one per logical name the worker maps', () => {
    // text-stats; inventory, payment, shipping; training-data, train-epoch, evaluate-model;
    // snapshot-manifest, analyze-file, refactor-files, check-files; content-writer; the API; and the 3 event triggers' functions.
    local.resourceCountIs('AWS::Lambda::Function', 16);
    aws.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    local.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ S3_FORCE_PATH_STYLE: 'true', JOBS_TABLE: Match.anyValue(), DATA_BUCKET: Match.anyValue() }) },
    });
  });

  it('builds each declared function with its settings and the grants its declaration lists', () => {
    type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
    type Policy = { Properties: { PolicyDocument: { Statement: Statement[] } } };
    const statementsOf = (prefix: string) =>
      Object.entries(local.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, p]) => (p as Policy).Properties.PolicyDocument.Statement);
    // Payment: 256 MB, 20 s, its own table only, and reserved concurrency on AWS.
    local.hasResourceProperties('AWS::Lambda::Function', { Description: 'Order saga: charges (once per order) and refunds payments', MemorySize: 256, Timeout: 20, Environment: { Variables: Match.objectLike({ PAYMENTS_TABLE: Match.anyValue() }) } });
    aws.hasResourceProperties('AWS::Lambda::Function', { Description: 'Order saga: charges (once per order) and refunds payments', ReservedConcurrentExecutions: 10 });
    const payment = statementsOf('StepsOrderPayment');
    expect(JSON.stringify(payment)).toContain('PaymentsTable');
    expect(JSON.stringify(payment)).not.toMatch(/InventoryTable|ShipmentsTable/);
    // Training: reads and writes confined to its prefixes of the data bucket, listing with an s3:prefix condition.
    const trainEpoch = JSON.stringify(statementsOf('StepsTrainEpoch'));
    expect(trainEpoch).toContain('/training/state/*');
    expect(trainEpoch).toContain('"s3:prefix":["training/*"]');
    expect(trainEpoch).not.toContain('s3:DeleteObject');
  });

  it('grants each function only what it uses: text-stats the bucket and table, the API the bucket (claim checks) and reads of the audit table', () => {
    type Policy = { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } };
    const actionsOf = (prefix: string) =>
      Object.entries(local.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, p]) => (p as Policy).Properties.PolicyDocument.Statement)
        .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    const textStats = actionsOf('StepsTextStats');
    const api = actionsOf('ApiFunction');
    // Its declaration (lambdas/text-stats/steps.ts): reports/ in the data bucket, the jobs table, claim checks, idempotency.
    expect(textStats).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObject', 'dynamodb:PutItem']));
    // Claim checks and the checkpoint manifests it lists; nothing deleted, no object retention or legal hold.
    expect([...new Set(api.filter((a) => a.startsWith('s3:')))].sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    // The API reads the audit log (GET /audit/...), and writes no table.
    expect(api.filter((a) => a.startsWith('dynamodb:')).every((a) => /^dynamodb:(BatchGet|Get|Query|Scan|ConditionCheck|Describe)/.test(a))).toBe(true);
    expect([...textStats, ...api].some((a) => a === '*' || a === 's3:*' || a === 'dynamodb:*')).toBe(false);
  });

  it('fronts the API Lambda with a REST API (v1) on the stage named after the environment', () => {
    local.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    local.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'local' });
    aws.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  it("outputs LocalStack's execute-api URL locally and API Gateway's own URL on AWS", () => {
    const localUrl = JSON.stringify(local.findOutputs('ApiUrl'));
    expect(localUrl).toContain('http://127.0.0.1:4566/_aws/execute-api/');
    expect(localUrl).toContain('/local/');
    expect(JSON.stringify(aws.findOutputs('ApiUrl'))).toContain('.execute-api.');
    for (const name of ['WorkerFunctions', 'DataBucketName', 'JobsTableName', 'TaskQueue', 'TextStatsLogGroup', 'ApiLogGroup']) {
      expect(Object.keys(local.findOutputs(name))).toEqual([name]);
    }
  });
});

describe('parseTarget', () => {
  it('defaults to local and refuses anything but local or aws', () => {
    expect(parseTarget(undefined)).toBe('local');
    expect(parseTarget('aws')).toBe('aws');
    expect(() => parseTarget('prod')).toThrow('context value "target" must be "local" or "aws", got "prod"');
  });
});

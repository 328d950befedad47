import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { resolveDeploymentSettings, deploymentSettingsFromContext } from '../../infra/stacks/deployment-config';
import { METRICS_NAMESPACE, WorkerMetrics } from '../../worker/metrics/names';
import { FUNCTIONS } from '../../lambdas/catalog';
import { shutdownTiming } from '../../worker/shutdown-timing';
import { importedVpcContext, synthTemplate, TEST_TEMPORAL_ADDRESS } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const API_KEY_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stepless/temporal-api-key-AbCdEf';
const CLIENT_API_KEY_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stepless/temporal-client-api-key-GhIjKl';
const CLIENT_TLS_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stepless/temporal-client-mtls-MnOpQr';

function resources(t: Template, type: string): Resource[] {
  return Object.values(t.findResources(type)) as Resource[];
}

function statements(t: Template): Statement[] {
  return resources(t, 'AWS::IAM::Policy').flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Policy logical id → the actions it allows on resources whose reference contains `resourceId`. */
function actionsOn(t: Template, resourceId: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, p] of Object.entries(t.findResources('AWS::IAM::Policy')) as Array<[string, Resource]>) {
    for (const s of (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
      if (s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(resourceId)) (out[id] ??= []).push(...actionsOf(s));
    }
  }
  return out;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The logical ids a template value refers to (Ref and Fn::GetAtt, however nested). */
function refsIn(value: unknown): string[] {
  const json = JSON.stringify(value ?? null);
  return [...json.matchAll(/"Ref":"([A-Za-z0-9]+)"|"Fn::GetAtt":\["([A-Za-z0-9]+)"/g)].map((m) => (m[1] ?? m[2])!);
}

/** The statements of a role's policies on the data bucket: actions, the key pattern after the bucket ARN, any condition. */
function dataBucketAccess(t: Template, policyPrefix: string): Array<{ actions: string[]; on: string; condition?: unknown }> {
  return (Object.entries(t.findResources('AWS::IAM::Policy')) as Array<[string, Resource]>)
    .filter(([id]) => id.startsWith(policyPrefix))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((st) => refsIn(st.Resource).some((id) => id.startsWith('DataBucket')))
    .map((st) => {
      const resource = st.Resource as { 'Fn::Join'?: [string, unknown[]] };
      const on = resource['Fn::Join'] ? String(resource['Fn::Join'][1].at(-1)) : '';
      return { actions: actionsOf(st), on, ...(st.Condition ? { condition: st.Condition } : {}) };
    });
}

function workerContainer(t: Template): Record<string, unknown> & { Environment: Array<{ Name: string; Value: unknown }> } {
  const [task] = resources(t, 'AWS::ECS::TaskDefinition');
  return (task!.Properties.ContainerDefinitions as Array<Record<string, unknown> & { Environment: Array<{ Name: string; Value: unknown }> }>)[0]!;
}

/** The AWS target's promises beyond the data stores (stack.test.ts): the worker on ECS, Lambda, IAM, Temporal credentials. */
describe('the AWS target', () => {
  // Defaults: a new VPC, API keys, tracing and payload encryption on.
  const { template: aws, stack: awsStack } = synthTemplate('aws');
  // Temporal Cloud with an API key, an imported VPC, tracing and payload encryption off.
  const vpcId = 'vpc-0123456789abcdef0';
  const { template: variant } = synthTemplate(
    'aws',
    { temporalApiKeySecretArn: API_KEY_SECRET, vpcId, tracing: false, payloadEncryption: false, workerMinTasks: 3, workerMaxTasks: 12 },
    { account: '123456789012', region: 'eu-west-1' },
    importedVpcContext('123456789012', 'eu-west-1', vpcId),
  );

  describe('worker on ECS Fargate', () => {
    it('runs ARM64 tasks of the sized CPU and memory, read-only, with a health check, awslogs and the full stop timeout', () => {
      aws.hasResourceProperties('AWS::ECS::TaskDefinition', {
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: '512',
        Memory: '1024',
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      });
      const container = workerContainer(aws);
      expect(container).toMatchObject({
        Essential: true,
        ReadonlyRootFilesystem: true,
        StopTimeout: 120,
        LogConfiguration: { LogDriver: 'awslogs', Options: expect.objectContaining({ 'awslogs-stream-prefix': 'worker', mode: 'non-blocking' }) },
        HealthCheck: { Command: ['CMD', 'node', '-e', expect.stringContaining('/healthz')], Interval: 30, Retries: 3, StartPeriod: 60, Timeout: 5 },
      });
      const env = Object.fromEntries(container.Environment.map((e) => [e.Name, e.Value]));
      // Drains in-flight activities inside the stop timeout, and answers the health check on the port it probes.
      expect(Number(env.WORKER_SHUTDOWN_GRACE_MS)).toBe(110_000);
      expect((container.HealthCheck as { Command: string[] }).Command[3]).toContain(`127.0.0.1:${String(env.WORKER_HEALTH_PORT)}/healthz`);
      expect(env).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: TEST_TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: 'default', TASK_QUEUE: 'stepless' });
      for (const name of ['STEPLESS_FUNCTIONS', 'CLAIM_CHECK_BUCKET', 'AUDIT_TABLE', 'AUDIT_ANCHOR_BUCKET', 'AUDIT_KMS_KEY_ID', 'PAYLOAD_KMS_KEY_ID']) expect(env[name]).toBeDefined();
    });

    it('derives the stop timeout and the shutdown grace from the longest declared step, and warns at synthesis that Fargate\'s 120 s cuts it short', () => {
      const longest = FUNCTIONS.reduce((a, b) => (b.timeoutSeconds > a.timeoutSeconds ? b : a));
      const timing = shutdownTiming(FUNCTIONS);
      const container = workerContainer(aws);
      const env = Object.fromEntries(container.Environment.map((e) => [e.Name, e.Value]));
      expect(container.StopTimeout).toBe(timing.stopTimeoutSeconds);
      expect(Number(env.WORKER_SHUTDOWN_GRACE_MS)).toBe(timing.graceSeconds * 1000);
      // The grace leaves the stop timeout room to publish the last metrics and close the connection.
      expect(Number(env.WORKER_SHUTDOWN_GRACE_MS)).toBeLessThan((container.StopTimeout as number) * 1000);
      const warnings = Annotations.fromStack(awsStack).findWarning('*', Match.stringLikeRegexp('stop timeout'));
      expect(warnings.map((w) => [w.id, w.entry.data as string])).toEqual([['/Test-aws/Worker', expect.stringContaining(`the longest step (function ${longest.name}, timeout ${longest.timeoutSeconds} s) needs a stop timeout of ${longest.timeoutSeconds + 20} s`)]]);
    });

    it('may set scale-in protection on the tasks of its own cluster only (the worker does, while activities are in flight)', () => {
      const env = Object.fromEntries(workerContainer(aws).Environment.map((e) => [e.Name, e.Value]));
      expect(env.WORKER_SCALE_IN_PROTECTION_MINUTES).toBe('10');
      const protection = statements(aws).filter((s) => actionsOf(s).includes('ecs:UpdateTaskProtection'));
      expect(protection).toHaveLength(1);
      expect(actionsOf(protection[0]!)).toEqual(['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection']);
      const arn = JSON.stringify(protection[0]!.Resource);
      expect(arn).toContain(':task/');
      expect(arn).toMatch(/"Ref":"WorkerCluster[0-9A-F]+"\},"\/\*"/);
    });

    it('keeps the desired count during a deploy (new tasks first), rolls back a failing one, and runs in private subnets without a public IP', () => {
      aws.hasResourceProperties('AWS::ECS::Service', {
        LaunchType: 'FARGATE',
        DesiredCount: 2,
        DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 200, DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
        EnableExecuteCommand: false,
      });
      const subnets = ((resources(aws, 'AWS::ECS::Service')[0]!.Properties.NetworkConfiguration as { AwsvpcConfiguration: { Subnets: Array<{ Ref: string }> } }).AwsvpcConfiguration.Subnets).map((s) => s.Ref);
      expect(subnets.length).toBe(2);
      for (const ref of subnets) expect(ref).toMatch(/private/i);
      aws.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    });

    it('lets the worker out only to HTTPS and the Temporal port, and in from nowhere', () => {
      const [group] = resources(aws, 'AWS::EC2::SecurityGroup');
      expect(group!.Properties.SecurityGroupIngress).toBeUndefined();
      const egress = (group!.Properties.SecurityGroupEgress as Array<{ FromPort: number; ToPort: number; IpProtocol: string }>).map((e) => [e.IpProtocol, e.FromPort, e.ToPort]);
      expect(egress.sort()).toEqual([['tcp', 443, 443], ['tcp', 7233, 7233]]);
    });

    it('scales between the configured bounds on CPU and on the backlog per worker the worker publishes', () => {
      aws.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount' });
      variant.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 12 });
      aws.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60 }),
      });
      aws.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          CustomizedMetricSpecification: Match.objectLike({ Namespace: METRICS_NAMESPACE, MetricName: WorkerMetrics.backlogPerWorker, Dimensions: [{ Name: 'TaskQueue', Value: 'stepless' }] }),
          TargetValue: 20,
        }),
      });
    });

    it('creates a VPC with private subnets, one NAT gateway, S3/DynamoDB gateway endpoints and flow logs; or imports the one named', () => {
      aws.resourceCountIs('AWS::EC2::VPC', 1);
      aws.resourceCountIs('AWS::EC2::NatGateway', 1);
      aws.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
      aws.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'REJECT' });
      variant.resourceCountIs('AWS::EC2::VPC', 0);
      variant.resourceCountIs('AWS::EC2::NatGateway', 0);
      variant.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'] }) } });
      variant.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: vpcId });
    });

    it('holds Temporal credentials as a secret ARN the task may read, never as a value', () => {
      const env = Object.fromEntries(workerContainer(variant).Environment.map((e) => [e.Name, e.Value]));
      expect(env.TEMPORAL_API_KEY_SECRET_ARN).toBe(API_KEY_SECRET);
      expect(env.TEMPORAL_API_KEY).toBeUndefined();
      expect(workerContainer(variant).Secrets).toBeUndefined();
      expect(statements(variant)).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: API_KEY_SECRET }));
      // The API function connects to Temporal the same way.
      variant.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TEMPORAL_API_KEY_SECRET_ARN: API_KEY_SECRET, TEMPORAL_ADDRESS: TEST_TEMPORAL_ADDRESS }) } });
      // Nothing that looks like key material anywhere in the template.
      expect(JSON.stringify(variant.toJSON())).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    });

    it('puts the API function in the worker\'s private subnets only when asked (a Temporal frontend inside the VPC)', () => {
      const api = (t: Template) => resources(t, 'AWS::Lambda::Function').find((f) => String(f.Properties.Description).startsWith('The HTTP API'))!;
      expect(api(aws).Properties.VpcConfig).toBeUndefined();
      const { template: inVpc } = synthTemplate('aws', { apiInVpc: true });
      const subnets = (api(inVpc).Properties.VpcConfig as { SubnetIds: Array<{ Ref: string }> }).SubnetIds.map((s) => s.Ref);
      expect(subnets).toHaveLength(2);
      for (const ref of subnets) expect(ref).toMatch(/private/i);
      // The worker functions stay outside: they reach only AWS APIs. The event triggers are Temporal clients like the API.
      const inside = resources(inVpc, 'AWS::Lambda::Function').filter((f) => f.Properties.VpcConfig !== undefined).map((f) => String(f.Properties.Description));
      expect(inside.filter((d) => !d.startsWith('Trigger '))).toEqual([expect.stringMatching(/^The HTTP API/)]);
      expect(inside.filter((d) => d.startsWith('Trigger '))).toHaveLength(3);
    });

    it('pulls a prebuilt private ECR image with a grant on that repository only, and a public image as given', () => {
      const uri = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/stepless/worker:1.4.2';
      const { template: ecrImage } = synthTemplate('aws', { workerImage: uri });
      const image = JSON.stringify(workerContainer(ecrImage).Image);
      expect(image).toContain('123456789012.dkr.ecr.eu-west-1.');
      expect(image).toContain('/stepless/worker:1.4.2');
      expect(statements(ecrImage)).toContainEqual(expect.objectContaining({
        Action: expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']),
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:123456789012:repository/stepless/worker']] },
      }));
      const { template: publicImage } = synthTemplate('aws', { workerImage: 'ghcr.io/example/stepless-worker:1.4.2' });
      expect(workerContainer(publicImage).Image).toBe('ghcr.io/example/stepless-worker:1.4.2');
    });

    it('owns an ECR repository for the image pipeline: immutable tags, scan on push, old images expire, kept with the data', () => {
      const [repo] = Object.values(aws.findResources('AWS::ECR::Repository')) as Array<Resource & { DeletionPolicy?: string }>;
      expect(repo!.Properties).toMatchObject({
        RepositoryName: 'stepless-prod/worker',
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
      });
      expect(repo!.DeletionPolicy).toBe('Retain');
      const rules = (JSON.parse((repo!.Properties.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText) as { rules: Array<{ selection: Record<string, unknown> }> }).rules;
      expect(rules.map((r) => r.selection)).toEqual([
        expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14 }),
        expect.objectContaining({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 }),
      ]);
      aws.hasOutput('*', { Description: Match.stringLikeRegexp('Push worker images here') });
      // The pipeline deploys by digest: the task definition names that exact image.
      const digest = `sha256:${'ab'.repeat(32)}`;
      const { template: byDigest } = synthTemplate('aws', { workerImage: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/stepless-prod/worker@${digest}` });
      expect(JSON.stringify(workerContainer(byDigest).Image)).toContain(`/stepless-prod/worker@${digest}`);
    });

    it('may publish metrics only in its own namespace, and invoke only the stack\'s functions', () => {
      expect(statements(aws)).toContainEqual(expect.objectContaining({ Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } } }));
      const invokes = statements(aws).filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
      expect(invokes.length).toBeGreaterThan(0);
      for (const s of invokes) expect(JSON.stringify(s.Resource)).not.toContain('"*"');
    });
  });

  describe('Lambda functions', () => {
    it('trace with X-Ray when tracing is on, and not when it is off', () => {
      aws.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
      for (const f of resources(variant, 'AWS::Lambda::Function')) expect(f.Properties.TracingConfig).not.toEqual({ Mode: 'Active' });
    });

    it('send failed asynchronous invocations to an encrypted dead-letter queue after two retries', () => {
      const configs = resources(aws, 'AWS::Lambda::EventInvokeConfig');
      expect(configs.length).toBe(resources(aws, 'AWS::Lambda::Function').length);
      for (const c of configs) {
        expect(c.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: expect.anything() } } });
      }
      aws.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    });

    it('reserve concurrency for the payment function, which protects the payment provider', () => {
      aws.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('charges'), ReservedConcurrentExecutions: 10 });
    });

    it('log to groups kept for a year', () => {
      const functions = resources(aws, 'AWS::Lambda::Function');
      for (const f of functions) expect(f.Properties.LoggingConfig).toMatchObject({ LogGroup: expect.anything() });
      const yearly = resources(aws, 'AWS::Logs::LogGroup').filter((g) => g.Properties.RetentionInDays === 365);
      expect(yearly.length).toBeGreaterThanOrEqual(functions.length + 1);
    });
  });

  describe('IAM', () => {
    it('grants no wildcard actions, and a wildcard resource only where the action has no resource-level permissions', () => {
      // Actions AWS does not scope to a resource (documented per service), so '*' is the only choice.
      const resourceless = new Set(['cloudwatch:PutMetricData', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'ecr:GetAuthorizationToken']);
      for (const s of statements(aws)) {
        // Exact actions only: no `s3:*`, and no action families such as `s3:GetObject*` or `kms:ReEncrypt*` either.
        for (const action of actionsOf(s)) expect(action).not.toContain('*');
        if (s.Resource === '*') for (const action of actionsOf(s)) expect(resourceless).toContain(action);
      }
    });

    it('lets the worker append to the audit table (conditional puts) and read it, the API only read it, and nobody delete, update or batch-write', () => {
      // runtime/audit/log: an append is a TransactWriteItems of conditional Puts (authorized as
      // PutItem), a checkpoint pointer one PutItem; reading is GetItem and Query.
      const onAuditTable = actionsOn(aws, 'AuditLogTable');
      expect(Object.keys(onAuditTable).sort()).toEqual([expect.stringMatching(/^ApiFunctionServiceRole/), expect.stringMatching(/^WorkerTaskTaskRole/)]);
      const byRole = (prefix: string) => Object.entries(onAuditTable).find(([id]) => id.startsWith(prefix))![1];
      expect(byRole('WorkerTaskTaskRole')).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']);
      expect(byRole('ApiFunctionServiceRole')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    });

    it('lets the worker and the API use the payload key only to make and unwrap data keys (no Encrypt, no ReEncrypt)', () => {
      // runtime/encryption/kms-codec.ts calls GenerateDataKey and Decrypt, nothing else.
      const onPayloadKey = actionsOn(aws, 'PayloadKey');
      expect(Object.keys(onPayloadKey).sort()).toEqual([
        expect.stringMatching(/^ApiFunctionServiceRole/),
        // The event triggers encrypt the inputs they start workflows with.
        ...['Inbox', 'TextStatsRequested', 'WorkflowRequests'].map((t): unknown => expect.stringMatching(new RegExp(`^Triggers${t}.*ServiceRole`))),
        expect.stringMatching(/^WorkerTaskTaskRole/),
      ]);
      for (const actions of Object.values(onPayloadKey)) expect(actions).toEqual(['kms:GenerateDataKey', 'kms:Decrypt']);
    });

    it('confines the worker and the API to the data bucket prefixes they use: claim checks, and for the API the checkpoint manifests it lists', () => {
      // runtime/claim-check/store.ts: HEAD, PUT and GET under claim-checks/; api/trainings.ts: list and read manifests under training/checkpoints/runs/.
      expect(dataBucketAccess(aws, 'WorkerTaskTaskRole')).toEqual([
        { actions: ['s3:GetObject'], on: '/claim-checks/*' },
        { actions: ['s3:PutObject', 's3:AbortMultipartUpload'], on: '/claim-checks/*' },
        // Unconditioned: S3 answers the store's HEAD of a missing object 404, not 403, only to a caller that may list.
        { actions: ['s3:ListBucket'], on: '' },
      ]);
      expect(dataBucketAccess(aws, 'ApiFunctionServiceRole')).toEqual([
        { actions: ['s3:GetObject'], on: '/claim-checks/*' },
        { actions: ['s3:PutObject', 's3:AbortMultipartUpload'], on: '/claim-checks/*' },
        { actions: ['s3:ListBucket'], on: '' },
        { actions: ['s3:GetObject'], on: '/training/checkpoints/runs/*' },
        { actions: ['s3:ListBucket'], on: '', condition: { StringLike: { 's3:prefix': ['training/checkpoints/runs/*'] } } },
      ]);
    });

    it('lets no role Encrypt or ReEncrypt with the data key: Decrypt to read, GenerateDataKey too where the role writes', () => {
      const onDataKey = actionsOn(aws, 'DataKey');
      expect(Object.keys(onDataKey).length).toBeGreaterThanOrEqual(8);
      for (const [policy, actions] of Object.entries(onDataKey)) {
        expect([policy, [...new Set(actions)].sort()]).toEqual([policy, expect.arrayContaining(['kms:Decrypt'])]);
        for (const action of actions) expect(['kms:Decrypt', 'kms:GenerateDataKey']).toContain(action);
      }
      // Evaluating a model only reads (lambdas/evaluate-model/steps.ts).
      expect(Object.entries(onDataKey).find(([id]) => id.startsWith('StepsEvaluateModel'))![1]).toEqual(['kms:Decrypt']);
      expect(JSON.stringify(aws.toJSON())).not.toMatch(/kms:(ReEncrypt|Encrypt")/);
    });

    it('lets only the worker touch the audit anchors, to put and read them: no deletes, retention, legal holds or version reads', () => {
      const onAnchors = actionsOn(aws, 'AuditLogAnchorBucket');
      expect(Object.keys(onAnchors)).toEqual([expect.stringMatching(/^WorkerTaskTaskRole/)]);
      expect(Object.values(onAnchors)[0]!.sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    });

    it('names in each role\'s environment exactly the buckets, tables and keys the role may use (the grant sets both)', () => {
      const template = aws.toJSON() as { Resources: Record<string, Resource> };
      const typeOf = (id: string) => template.Resources[id]?.Type;
      // A bucket's own key is used through the bucket, so its grant names the bucket only.
      const bucketKeys = new Set(resources(aws, 'AWS::S3::Bucket').flatMap((b) => refsIn(b.Properties.BucketEncryption)));
      const granted = (value: unknown) => refsIn(value).filter((id) => ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key'].includes(typeOf(id) ?? '') && !bucketKeys.has(id));
      const policyOf = (roleId: string) => (Object.values(aws.findResources('AWS::IAM::Policy')) as Resource[]).filter((p) => refsIn(p.Properties.Roles).includes(roleId));
      const roleResources = (roleId: string) => new Set(policyOf(roleId).flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((st) => granted(st.Resource))));
      const checked: string[] = [];
      for (const [id, f] of Object.entries(aws.findResources('AWS::Lambda::Function')) as Array<[string, Resource]>) {
        const role = refsIn(f.Properties.Role)[0]!;
        expect([id, new Set(granted((f.Properties.Environment as { Variables: unknown }).Variables))]).toEqual([id, roleResources(role)]);
        checked.push(id);
      }
      const [taskId, task] = Object.entries(aws.findResources('AWS::ECS::TaskDefinition'))[0] as [string, Resource];
      const env = workerContainer(aws).Environment;
      expect([taskId, new Set(granted(env.filter((e) => e.Name !== 'STEPLESS_FUNCTIONS')))]).toEqual([taskId, roleResources(refsIn(task.Properties.TaskRoleArn)[0]!)]);
      // Every declared step function, the API and the event triggers' functions.
      expect(checked.length).toBeGreaterThan(FUNCTIONS.length + 1);
    });
  });

  describe('S3 access logs', () => {
    it('sends every bucket\'s access logs to one log bucket, under its own prefix, which only S3 log delivery of this account may write', () => {
      const buckets = Object.entries(aws.findResources('AWS::S3::Bucket')) as Array<[string, Resource]>;
      const logBucket = buckets.filter(([, b]) => b.Properties.LoggingConfiguration === undefined);
      expect(logBucket.map(([id]) => id)).toEqual([expect.stringMatching(/^AccessLogBucket/)]);
      const logged = buckets.filter(([, b]) => b.Properties.LoggingConfiguration !== undefined);
      expect(logged.length).toBeGreaterThanOrEqual(3);
      for (const [id, b] of logged) expect(b.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logBucket[0]![0] }, LogFilePrefix: `${id}/` });
      aws.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logBucket[0]![0] },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })]) },
      });
    });
  });

  describe('Temporal transport', () => {
    it('passes the TLS choice to the worker and the API, and warns nothing about Temporal', () => {
      expect(Object.fromEntries(workerContainer(aws).Environment.map((e) => [e.Name, e.Value])).TEMPORAL_TLS).toBe('true');
      aws.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TEMPORAL_TLS: 'true' }) } });
      expect(Annotations.fromStack(awsStack).findWarning('/Test-aws/Temporal', Match.anyValue())).toEqual([]);
    });

    it('gives the API function (a Temporal client) its own credential when one is set, which only it may read', () => {
      const { template: separate, stack } = synthTemplate('aws', { temporalApiKeySecretArn: API_KEY_SECRET, temporalClientApiKeySecretArn: CLIENT_API_KEY_SECRET });
      const workerEnv = Object.fromEntries(workerContainer(separate).Environment.map((e) => [e.Name, e.Value]));
      expect(workerEnv.TEMPORAL_API_KEY_SECRET_ARN).toBe(API_KEY_SECRET);
      const api = resources(separate, 'AWS::Lambda::Function').find((f) => String(f.Properties.Description).startsWith('The HTTP API'))!;
      expect((api.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ TEMPORAL_API_KEY_SECRET_ARN: CLIENT_API_KEY_SECRET, TEMPORAL_ADDRESS: TEST_TEMPORAL_ADDRESS });
      const readers = (arn: string) => Object.keys(actionsOn(separate, arn)).map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort();
      expect(readers(API_KEY_SECRET)).toEqual(['WorkerTaskTaskRoleDefaultPolicy']);
      // The Temporal clients: the API and the event triggers' functions.
      expect(readers(CLIENT_API_KEY_SECRET)).toEqual(['ApiFunctionServiceRoleDefaultPolicy', 'TriggersInboxEventsTriggerFunctionServiceRoleDefaultPolicy', 'TriggersTextStatsRequestedTriggerFunctionServiceRoleDefaultPolicy', 'TriggersWorkflowRequestsTriggerFunctionServiceRoleDefaultPolicy']);
      expect(Annotations.fromStack(stack).findWarning('/Test-aws/Temporal', Match.anyValue())).toEqual([]);
      // An mTLS client certificate is the other kind, whatever the worker uses.
      const { template: mtls } = synthTemplate('aws', { temporalApiKeySecretArn: API_KEY_SECRET, temporalClientTlsSecretArn: CLIENT_TLS_SECRET });
      mtls.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^The HTTP API'), Environment: { Variables: Match.objectLike({ TEMPORAL_TLS_SECRET_ARN: CLIENT_TLS_SECRET }) } });
    });

    it('lets the API function share the worker\'s credential when no client credential is set, with a synthesis warning', () => {
      const { template: shared, stack } = synthTemplate('aws', { temporalApiKeySecretArn: API_KEY_SECRET });
      shared.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^The HTTP API'), Environment: { Variables: Match.objectLike({ TEMPORAL_API_KEY_SECRET_ARN: API_KEY_SECRET }) } });
      const warnings = Annotations.fromStack(stack).findWarning('/Test-aws/Temporal', Match.anyValue());
      expect(warnings.map((w) => [w.id, w.entry.data as string])).toEqual([
        ['/Test-aws/Temporal', expect.stringMatching(/the API function connects to Temporal with the worker's credential \(temporalApiKeySecretArn\).*-c temporalClientApiKeySecretArn=<secret ARN>/)],
      ]);
    });

    it('connects in plaintext only when temporalInsecure=true says so, with a synthesis warning', () => {
      const { template: insecure, stack } = synthTemplate('aws', { temporalInsecure: true });
      const env = Object.fromEntries(workerContainer(insecure).Environment.map((e) => [e.Name, e.Value]));
      expect(env.TEMPORAL_TLS).toBeUndefined();
      expect(Object.keys(env).filter((k) => k.endsWith('_SECRET_ARN'))).toEqual([]);
      const warnings = Annotations.fromStack(stack).findWarning('/Test-aws/Temporal', Match.anyValue());
      expect(warnings.map((w) => [w.id, w.entry.data as string])).toEqual([['/Test-aws/Temporal', expect.stringContaining(`temporalInsecure=true: the worker and the API function reach Temporal at ${TEST_TEMPORAL_ADDRESS} in plaintext without credentials`)]]);
    });
  });

  describe('payload encryption', () => {
    it('is on by default on AWS: a rotating key, its ARN given to the worker and the API, which may use it', () => {
      aws.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('workflow payloads'), EnableKeyRotation: true });
      aws.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ PAYLOAD_KMS_KEY_ID: Match.anyValue() }) } });
    });

    it('is off when configured off', () => {
      expect(resources(variant, 'AWS::KMS::Key').some((k) => String(k.Properties.Description).includes('workflow payloads'))).toBe(false);
      expect(Object.fromEntries(workerContainer(variant).Environment.map((e) => [e.Name, e.Value])).PAYLOAD_KMS_KEY_ID).toBeUndefined();
    });
  });
});

describe('deployment settings', () => {
  const resolve = (ctx: Record<string, unknown>) => resolveDeploymentSettings('aws', deploymentSettingsFromContext((k) => ctx[k]));
  // The least an AWS deployment must say: where Temporal is, and that it is reached over TLS.
  const base = { temporalAddress: TEST_TEMPORAL_ADDRESS, temporalTls: 'true' };

  it('reads -c strings and cdk.json values alike, with the AWS defaults', () => {
    const s = resolve({ ...base, workerMinTasks: '3', tracing: 'false', corsOrigins: 'https://a.example.com, https://b.example.com' });
    expect(s).toMatchObject({ workerMinTasks: 3, workerMaxTasks: 10, tracing: false, payloadEncryption: true, apiAuth: 'iam', corsOrigins: ['https://a.example.com', 'https://b.example.com'], workerCpu: 512, workerMemoryMiB: 1024 });
    expect(resolve({ ...base, corsOrigins: ['https://a.example.com'], tracing: true }).corsOrigins).toEqual(['https://a.example.com']);
  });

  it.each([
    [{}, /temporalAddress/],
    [{ temporalAddress: 'no-port' }, /"temporalAddress" must be host:port/],
    [{ temporalAddress: TEST_TEMPORAL_ADDRESS }, /the AWS target connects to Temporal over TLS, but none of the context values "temporalTls", .*pass -c temporalTls=true .*-c temporalInsecure=true/],
    [{ temporalAddress: TEST_TEMPORAL_ADDRESS, temporalTls: 'false' }, /none of the context values "temporalTls"/],
    [{ ...base, temporalInsecure: 'true' }, /context value "temporalInsecure" is true but TLS to Temporal is configured/],
    [{ temporalAddress: TEST_TEMPORAL_ADDRESS, temporalApiKeySecretArn: API_KEY_SECRET, temporalInsecure: 'true' }, /"temporalInsecure" is true but TLS/],
    [{ ...base, temporalInsecure: 'maybe' }, /"temporalInsecure" must be true or false/],
    [{ ...base, tracing: 'yes' }, /"tracing" must be true or false/],
    [{ ...base, workerCpu: '300' }, /"workerCpu" must be one of Fargate's CPU sizes/],
    [{ ...base, workerCpu: '256', workerMemoryMiB: '4096' }, /"workerMemoryMiB" must be a whole number from 512 to 2048/],
    [{ ...base, workerMinTasks: '5', workerMaxTasks: '2' }, /"workerMaxTasks" must be a whole number from 5/],
    [{ ...base, apiAuth: 'cognito' }, /"apiAuth" must be iam, apiKey, jwt, none/],
    [{ ...base, apiAuth: 'jwt' }, /apiAuth=jwt needs the token issuer: pass -c jwtIssuer=/],
    [{ ...base, apiAuth: 'jwt', jwtIssuer: 'http://idp.example.com' }, /"jwtIssuer" must be an https URL/],
    [{ ...base, apiAuth: 'jwt', jwtIssuer: 'https://idp.example.com/' }, /without a trailing slash/],
    [{ ...base, apiAuth: 'jwt', jwtIssuer: 'https://idp.example.com' }, /apiAuth=jwt needs the accepted audiences: pass -c jwtAudience=/],
    [{ ...base, apiAuth: 'jwt', jwtIssuer: 'https://idp.example.com', jwtAudience: 'a', jwtCodecScope: 'two words' }, /"jwtCodecScope" must be 1-128 printable characters without spaces/],
    [{ ...base, jwtIssuer: 'https://idp.example.com' }, /"jwtIssuer" applies only with apiAuth=jwt, but apiAuth is iam/],
    [{ ...base, vpcId: 'my-vpc' }, /"vpcId" must look like vpc-/],
    [{ ...base, natGateways: '0' }, /"natGateways" must be at least 1/],
    [{ ...base, temporalApiKeySecretArn: 'my-secret' }, /"temporalApiKeySecretArn" must be a Secrets Manager secret ARN/],
    [{ ...base, temporalApiKeySecretArn: API_KEY_SECRET, temporalTlsSecretArn: API_KEY_SECRET }, /alternatives/],
    [{ ...base, corsOrigins: 'https://a.example.com/app' }, /"corsOrigins" must list origins/],
    [{ ...base, temporalClientApiKeySecretArn: 'client-key' }, /"temporalClientApiKeySecretArn" must be a Secrets Manager secret ARN/],
    [{ ...base, temporalClientApiKeySecretArn: CLIENT_API_KEY_SECRET, temporalClientTlsSecretArn: CLIENT_TLS_SECRET }, /"temporalClientTlsSecretArn" and "temporalClientApiKeySecretArn" are alternatives/],
    [{ temporalAddress: TEST_TEMPORAL_ADDRESS, temporalApiKeySecretArn: API_KEY_SECRET, temporalClientApiKeySecretArn: API_KEY_SECRET }, /names the worker's own secret/],
    [{ temporalAddress: TEST_TEMPORAL_ADDRESS, temporalInsecure: 'true', temporalClientApiKeySecretArn: CLIENT_API_KEY_SECRET }, /"temporalInsecure" is true but TLS to Temporal is configured/],
    [{ ...base, alarmEmail: 'ops' }, /"alarmEmail" must be an email address/],
  ])('refuses %j', (ctx, message) => {
    expect(() => resolve(ctx)).toThrow(message);
  });

  it('reads the JWT settings with apiAuth=jwt, the codec scope defaulting to stepless/codec; locally the API stays open', () => {
    expect(resolve({ ...base, apiAuth: 'jwt', jwtIssuer: 'https://idp.example.com/oauth2', jwtAudience: 'a, b' }).jwt).toEqual({ issuer: 'https://idp.example.com/oauth2', audience: ['a', 'b'], codecScope: 'stepless/codec' });
    expect(resolve(base).jwt).toBeUndefined();
    // LocalStack does not check SigV4, and the tests and scripts call the local API unsigned.
    expect(resolveDeploymentSettings('local', {}).apiAuth).toBe('none');
  });

  it('accepts TLS by any one of the three settings, or plaintext when asked for by temporalInsecure', () => {
    expect(resolve(base)).toMatchObject({ temporalTls: true, temporalInsecure: false });
    expect(resolve({ temporalAddress: TEST_TEMPORAL_ADDRESS, temporalApiKeySecretArn: API_KEY_SECRET })).toMatchObject({ temporalTls: false, temporalApiKeySecretArn: API_KEY_SECRET, temporalInsecure: false });
    expect(resolve({ temporalAddress: TEST_TEMPORAL_ADDRESS, temporalTlsSecretArn: API_KEY_SECRET })).toMatchObject({ temporalTlsSecretArn: API_KEY_SECRET, temporalInsecure: false });
    expect(resolve({ temporalAddress: TEST_TEMPORAL_ADDRESS, temporalInsecure: 'true' })).toMatchObject({ temporalTls: false, temporalInsecure: true });
  });

  it('keeps the local target plaintext to the local Temporal server without being asked', () => {
    expect(resolveDeploymentSettings('local', {})).toMatchObject({ temporalAddress: '127.0.0.1:7233', temporalTls: false, temporalInsecure: false });
  });
});

describe('observability on AWS', () => {
  const { template } = synthTemplate('aws', { alarmEmail: 'oncall@example.com' });
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
  // An alarm names its metric directly, or (when the metric carries a label) in a one-metric query.
  const metricOf = (a: Resource) => (a.Properties.MetricName ?? (a.Properties.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string; Namespace: string } } }> | undefined)?.[0]?.MetricStat?.Metric.MetricName) as string | undefined;
  const alarmOn = (metricName: string) => alarms.filter((a) => metricOf(a) === metricName);

  it('pages on failed workflows, API 5xx, dead letters, no running worker, a stuck backlog and each function\'s errors', () => {
    expect(alarmOn(WorkerMetrics.workflowFailed)[0]?.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(JSON.stringify(alarmOn(WorkerMetrics.workflowFailed)[0])).toContain(`"Namespace":"${METRICS_NAMESPACE}"`);
    expect(alarmOn(WorkerMetrics.workflowTimedOut)[0]?.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarmOn('5XXError')).toHaveLength(1);
    expect(alarmOn('ApproximateNumberOfMessagesVisible')).toHaveLength(1);
    expect(alarmOn('RunningTaskCount')[0]?.Properties).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 1, TreatMissingData: 'breaching' });
    expect(alarmOn(WorkerMetrics.backlogPerWorker)[0]?.Properties).toMatchObject({ Threshold: 100, EvaluationPeriods: 3 });
    expect(alarmOn('Errors')).toHaveLength(resources(template, 'AWS::Lambda::Function').length);
    // Throttles and 4xx are on the dashboard only: Temporal retries throttled steps, 4xx are the caller's.
    expect(alarmOn('Throttles')).toHaveLength(0);
    expect(alarmOn('4XXError')).toHaveLength(0);
  });

  it('keys the 5xx alarm to this API and this stage (ApiName and Stage), not every API of that name', () => {
    const [api5xx] = alarmOn('5XXError');
    const dimensions = api5xx!.Properties.Dimensions as Array<{ Name: string; Value: unknown }>;
    expect(dimensions.map((d) => d.Name).sort()).toEqual(['ApiName', 'Stage']);
    expect(dimensions.find((d) => d.Name === 'Stage')!.Value).toEqual({ Ref: expect.stringMatching(/^ApiDeploymentStageprod/) });
    // The API is named after the stack, so the name itself does not collide with another stack's API either.
    expect(dimensions.find((d) => d.Name === 'ApiName')!.Value).toBe('Test-aws');
  });

  it('treats missing data as breaching where the source publishes while it runs, and says why on every alarm', () => {
    const byName: Record<string, Record<string, unknown>> = Object.fromEntries(alarms.map((a) => [String(a.Properties.AlarmName).split('.')[1], a.Properties]));
    // A worker that stops publishing is an alarm, not silence: every live worker publishes each window, zeros included.
    expect(byName.WorkerSilent).toMatchObject({ MetricName: WorkerMetrics.workflowStarted, Statistic: 'SampleCount', ComparisonOperator: 'LessThanThreshold', Threshold: 1, EvaluationPeriods: 2, TreatMissingData: 'breaching' });
    const treat = Object.fromEntries(Object.entries(byName).map(([name, p]) => [name, p.TreatMissingData]));
    expect(treat).toMatchObject({ WorkerSilent: 'breaching', NoWorker: 'breaching', BacklogHigh: 'breaching', WorkflowFailed: 'notBreaching', WorkflowTimedOut: 'notBreaching', Api5xx: 'notBreaching', DeadLetters: 'notBreaching', textStatsErrors: 'notBreaching' });
    for (const p of Object.values(byName)) expect(p.AlarmDescription).toMatch(/ Missing data: .{30,}/);
  });

  it('notifies an encrypted, TLS-only topic that the configured address subscribes to, on alarm and on recovery', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toHaveLength(1);
      expect(a.Properties.OKActions).toEqual(a.Properties.AlarmActions);
    }
  });

  it('lets CloudWatch publish to the topic and use its key only for this account, and publish only for this stack\'s alarms', () => {
    // A topic policy replaces SNS's default one: without this statement no alarm would be delivered.
    const [policy] = resources(template, 'AWS::SNS::TopicPolicy');
    const topicStatements = (policy!.Properties.PolicyDocument as { Statement: Array<Statement & { Principal: unknown }> }).Statement;
    expect(topicStatements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const publish = topicStatements.filter((s) => s.Effect === 'Allow');
    expect(publish).toEqual([expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' })]);
    const condition = publish[0]!.Condition as { StringEquals: Record<string, unknown>; ArnLike: { 'aws:SourceArn': { 'Fn::Join': [string, unknown[]] } } };
    expect(condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    const arn = condition.ArnLike['aws:SourceArn']['Fn::Join'][1];
    expect(arn).toEqual(['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:Test-aws.*']);
    // Every alarm's name has the prefix the condition admits; '.' cannot occur in another stack's name.
    for (const a of alarms) expect(a.Properties.AlarmName).toMatch(/^Test-aws\.[A-Za-z0-9]+$/);
    // The topic's key: CloudWatch may encrypt for the topic, on behalf of this account only.
    const [key] = resources(template, 'AWS::KMS::Key').filter((k) => k.Properties.Description === 'Stepless alarm topic');
    const keyStatements = (key!.Properties.KeyPolicy as { Statement: Array<Statement & { Principal: unknown }> }).Statement.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch'));
    expect(keyStatements).toEqual([
      { Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
  });

  it('has one dashboard with the workflow, activity, backlog, worker, Lambda and API widgets', () => {
    const [dashboard] = resources(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const title of ['Workflows', 'Workflows failed, timed out and aborted, by type', 'Workflow duration (ms): p50, p90, p99', 'Workflow duration p90 (ms), by type', 'Activity latency (ms)', 'Task queue backlog', 'Worker CPU and memory (%)', 'Worker tasks', 'Lambda errors', 'Lambda throttles', 'API requests and errors', 'API latency (ms)']) {
      expect(body).toContain(title);
    }
    for (const metric of [WorkerMetrics.workflowStarted, WorkerMetrics.workflowCompleted, WorkerMetrics.workflowTimedOut, WorkerMetrics.workflowTerminated, WorkerMetrics.workflowDuration, WorkerMetrics.activityLatency, WorkerMetrics.taskQueueBacklog]) expect(body).toContain(metric);
    // The per-type graphs search every workflow type of this task queue.
    expect(body).toMatch(/SEARCH\('\{Stepless,TaskQueue,WorkflowType\} MetricName=\W+WorkflowFailed\W+ TaskQueue=\W+stepless\W+', 'Sum', 300\)/);
  });

  it('is absent locally (LocalStack has no dashboards to look at)', () => {
    const { template: local } = synthTemplate('local');
    local.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    local.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    local.resourceCountIs('AWS::ECS::Service', 0);
  });
});

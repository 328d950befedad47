import { CfnElement, type IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { FUNCTIONS } from '../../lambdas/catalog';

/**
 * The cdk-nag AwsSolutions findings this stack accepts, each with the reason it is right here.
 * Findings are acknowledged through CDK's own Validations API, so the app does not depend on
 * cdk-nag; test/unit/cdk-nag.test.ts runs the rule pack and fails on anything not listed here.
 *
 * Most are what CDK's grants generate: the action families a grant needs (`s3:GetObject*` covers
 * GetObject, GetObjectVersion, GetObjectTagging...), object ARNs under a bucket or a prefix, and a
 * function ARN with `:*` for its versions and aliases. They are acknowledged by exact finding id,
 * so a new wildcard anywhere else still fails the test.
 */
const GRANT_ACTION_FAMILIES = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

function grantActionFamilies(): Array<{ id: string; reason: string }> {
  return GRANT_ACTION_FAMILIES.map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: `${action} is the action family a CDK grant uses for this access; the resources stay the specific bucket or key.` }));
}

/** Per function: what every Lambda function of the stack carries. */
function acknowledgeFunction(fn: lambda.Function): void {
  const stack = Stack.of(fn);
  Validations.of(fn).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The AWS-managed basic execution policy grants only CreateLogGroup/CreateLogStream/PutLogEvents, which every function needs to log.',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'A function in a VPC (the API with apiInVpc) needs to create and delete its network interfaces; this AWS-managed policy grants exactly that.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'Functions run on Node.js 22, the runtime this project supports and tests on (LocalStack executor, CI); a runtime upgrade is a deliberate, tested change.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added when tracing is on), which have no resource-level permissions (asserted in test/unit/aws-stack.test.ts).',
    },
    ...grantActionFamilies(),
  );
  // The worker invokes functions by name, which resolves to any version or alias: the grant covers `<arn>:*`.
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
    reason: 'lambda:InvokeFunction on this function and its versions/aliases (grantInvoke); no other function.',
  });
}

/** Per bucket: object-level permissions are granted on its objects. */
function acknowledgeBucket(bucket: s3.Bucket): void {
  const stack = Stack.of(bucket);
  const ref = `<${stack.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>`;
  // The whole bucket, and every key prefix a declared function is granted (lambdas/*/steps.ts).
  const declared = FUNCTIONS.flatMap((fn) => (fn.buckets ?? []).flatMap((b) => [...(b.read ?? []), ...(b.write ?? []), ...(b.delete ?? []), ...(b.list ?? [])]));
  const prefixes = [...new Set(['', ...declared])];
  Validations.of(stack).acknowledge(
    ...prefixes.map((prefix) => ({
      id: `AwsSolutions-IAM5[Resource::${ref}/${prefix}*]`,
      reason: `Object actions need object ARNs: these grants cover the objects${prefix ? ` under ${prefix}` : ''} of this one bucket.`,
    })),
  );
}

/** Visits the stack once; add with `Aspects.of(stack).add(new NagAcknowledgements())`. */
export class NagAcknowledgements implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof lambda.Function) acknowledgeFunction(node);
    else if (node instanceof ecs.TaskDefinition) Validations.of(node.taskRole).acknowledge(...grantActionFamilies());
    else if (node instanceof s3.Bucket) acknowledgeBucket(node);
  }
}

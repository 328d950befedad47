import { CfnElement, type IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/**
 * The cdk-nag AwsSolutions findings this stack accepts, each with the reason it is right here.
 * Findings are acknowledged through CDK's own Validations API, so the app does not depend on
 * cdk-nag; test/unit/cdk-nag.test.ts runs the rule pack and fails on anything not listed.
 *
 * Here: what every function carries. The object ARNs under a bucket prefix are acknowledged by the
 * grant that creates them (infra/constructs/bucket-access.ts), on the role holding it; the rest
 * next to their resources. All by exact finding id, so a new wildcard anywhere else still fails.
 */

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
  );
  // The worker invokes functions by name, which resolves to any version or alias: the grant covers `<arn>:*`.
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
    reason: 'lambda:InvokeFunction on this function and its versions/aliases (grantInvoke); no other function.',
  });
}

/** Visits the stack once; add with `Aspects.of(stack).add(new NagAcknowledgements())`. */
export class NagAcknowledgements implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof lambda.Function) acknowledgeFunction(node);
  }
}

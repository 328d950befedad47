import type { IAspect } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';

/**
 * On AWS every DynamoDB table of the stack (jobs, orders, audit, idempotency, analysis...) gets
 * point-in-time recovery and deletion protection, whoever declared it: one rule applied to the
 * whole stack rather than a flag each construct has to remember.
 */
export class TableProtection implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof dynamodb.CfnTable)) return;
    node.pointInTimeRecoverySpecification = { pointInTimeRecoveryEnabled: true };
    node.deletionProtectionEnabled = true;
  }
}

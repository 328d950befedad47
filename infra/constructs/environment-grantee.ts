import type * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Who receives a grant that also configures it: a principal for the permissions, and a way to set
 * the environment variable naming what was granted. A Lambda function is one as it is; the ECS
 * worker is one through its container (infra/constructs/ecs-worker.ts). A grant that sets the
 * variable itself keeps the permission and the configuration from drifting apart.
 */
export interface IEnvironmentGrantee extends iam.IGrantable {
  addEnvironment(name: string, value: string): unknown;
}

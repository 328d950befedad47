import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ResolvedDeploymentSettings } from '../stacks/deployment-config';

/**
 * What every Temporal client in the stack (the ECS worker, the API function, asynchronous Lambda
 * handlers) needs to connect: the TEMPORAL_* variables that runtime/temporal-connection.ts reads,
 * and read access to the credential secret. The environment carries secret ARNs, never values:
 * the process fetches the secret itself, so it shows in no template, task definition or console.
 */
export class TemporalAccess extends Construct {
  readonly environment: Record<string, string>;
  private readonly secret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, settings: ResolvedDeploymentSettings) {
    super(scope, id);
    this.environment = {
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TEMPORAL_NAMESPACE: settings.temporalNamespace,
      ...(settings.temporalTls ? { TEMPORAL_TLS: 'true' } : {}),
      ...(settings.temporalTlsSecretArn ? { TEMPORAL_TLS_SECRET_ARN: settings.temporalTlsSecretArn } : {}),
      ...(settings.temporalApiKeySecretArn ? { TEMPORAL_API_KEY_SECRET_ARN: settings.temporalApiKeySecretArn } : {}),
    };
    if (settings.temporalInsecure) {
      // Accepted at the user's request (deployment-config.ts), but it must show at every synth and deploy.
      Annotations.of(this).addWarningV2(
        'stepless:temporalInsecure',
        `temporalInsecure=true: the worker and the API function reach Temporal at ${settings.temporalAddress} in plaintext without credentials, so anyone on the network path can read and alter workflow traffic. Set temporalTls, temporalTlsSecretArn or temporalApiKeySecretArn instead.`,
      );
    }
    const arn = settings.temporalTlsSecretArn ?? settings.temporalApiKeySecretArn;
    if (arn) {
      // A complete ARN ends in the six characters Secrets Manager appends; a partial one is granted with a wildcard for them.
      this.secret = /-[A-Za-z0-9]{6}$/.test(arn)
        ? secretsmanager.Secret.fromSecretCompleteArn(this, 'Credentials', arn)
        : secretsmanager.Secret.fromSecretPartialArn(this, 'Credentials', arn);
    }
  }

  /** secretsmanager:GetSecretValue (and DescribeSecret) on the credential secret, if there is one. */
  grantTo(grantee: iam.IGrantable): void {
    this.secret?.grantRead(grantee);
  }
}

import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ResolvedDeploymentSettings } from '../stacks/deployment-config';
import type { IEnvironmentGrantee } from './environment-grantee';

/** A credential secret and the variable runtime/temporal-connection.ts reads its ARN from. */
interface Credential {
  readonly variable: 'TEMPORAL_TLS_SECRET_ARN' | 'TEMPORAL_API_KEY_SECRET_ARN';
  readonly secret: secretsmanager.ISecret;
  /** The context value that named it, for messages. */
  readonly setting: string;
}

/**
 * How the stack's Temporal processes connect: the TEMPORAL_* variables that
 * runtime/temporal-connection.ts reads, and read access to the credential secret. The worker and
 * the clients (the API function) may hold different credentials: a client's can then be revoked,
 * rotated and attributed on its own, and limited to client calls where the Temporal service can
 * tell them apart. The environment carries secret ARNs, never values: the process fetches the
 * secret itself, so it shows in no template, task definition or console.
 */
export class TemporalAccess extends Construct {
  /** Address, namespace and TLS: the same for every process. */
  private readonly transport: Record<string, string>;
  private readonly workerCredential?: Credential;
  private readonly clientCredential?: Credential;

  constructor(scope: Construct, id: string, settings: ResolvedDeploymentSettings) {
    super(scope, id);
    this.transport = {
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TEMPORAL_NAMESPACE: settings.temporalNamespace,
      ...(settings.temporalTls ? { TEMPORAL_TLS: 'true' } : {}),
    };
    if (settings.temporalInsecure) {
      // Accepted at the user's request (deployment-config.ts), but it must show at every synth and deploy.
      Annotations.of(this).addWarningV2(
        'stepless:temporalInsecure',
        `temporalInsecure=true: the worker and the API function reach Temporal at ${settings.temporalAddress} in plaintext without credentials, so anyone on the network path can read and alter workflow traffic. Set temporalTls, temporalTlsSecretArn or temporalApiKeySecretArn instead.`,
      );
    }
    this.workerCredential = this.credential('Credentials', settings.temporalTlsSecretArn, settings.temporalApiKeySecretArn, 'temporalTlsSecretArn', 'temporalApiKeySecretArn');
    this.clientCredential =
      this.credential('ClientCredentials', settings.temporalClientTlsSecretArn, settings.temporalClientApiKeySecretArn, 'temporalClientTlsSecretArn', 'temporalClientApiKeySecretArn')
      ?? this.workerCredential;
    if (this.workerCredential && this.clientCredential === this.workerCredential) {
      // Allowed, so a deployment with one credential keeps working; but it must show at every synth and deploy.
      Annotations.of(this).addWarningV2(
        'stepless:temporalSharedCredential',
        `the API function connects to Temporal with the worker's credential (${this.workerCredential.setting}), so whoever controls the API function can act as the worker and the credential cannot be revoked or rotated for one of them alone. Give Temporal clients their own with -c temporalClientTlsSecretArn=<secret ARN> or -c temporalClientApiKeySecretArn=<secret ARN>.`,
      );
    }
  }

  /** The worker: the TEMPORAL_* variables and read access to the worker's credential secret. */
  grantWorkerConnection(grantee: IEnvironmentGrantee): iam.Grant {
    return this.grantConnection(grantee, this.workerCredential);
  }

  /** A Temporal client (the API function): the client credential, or the worker's when none was given (with a synth warning). */
  grantClientConnection(grantee: IEnvironmentGrantee): iam.Grant {
    return this.grantConnection(grantee, this.clientCredential);
  }

  private grantConnection(grantee: IEnvironmentGrantee, credential: Credential | undefined): iam.Grant {
    for (const [name, value] of Object.entries(this.transport)) grantee.addEnvironment(name, value);
    if (!credential) return iam.Grant.drop(grantee, 'Temporal is reached without a credential secret');
    grantee.addEnvironment(credential.variable, credential.secret.secretArn);
    // secretsmanager:GetSecretValue and DescribeSecret on that one secret.
    return credential.secret.grantRead(grantee);
  }

  private credential(id: string, tlsArn: string | undefined, apiKeyArn: string | undefined, tlsSetting: string, apiKeySetting: string): Credential | undefined {
    const arn = tlsArn ?? apiKeyArn;
    if (arn === undefined) return undefined;
    // A complete ARN ends in the six characters Secrets Manager appends; a partial one is granted with a wildcard for them.
    const secret = /-[A-Za-z0-9]{6}$/.test(arn) ? secretsmanager.Secret.fromSecretCompleteArn(this, id, arn) : secretsmanager.Secret.fromSecretPartialArn(this, id, arn);
    return tlsArn !== undefined
      ? { variable: 'TEMPORAL_TLS_SECRET_ARN', secret, setting: tlsSetting }
      : { variable: 'TEMPORAL_API_KEY_SECRET_ARN', secret, setting: apiKeySetting };
  }
}

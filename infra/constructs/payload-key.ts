import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { IEnvironmentGrantee } from './environment-grantee';

export interface PayloadKeyProps {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The KMS key that encrypts workflow payloads before they reach Temporal (runtime/encryption):
 * every Temporal client and worker of a deployment encrypts with data keys from it.
 */
export class PayloadKey extends Construct {
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: PayloadKeyProps) {
    super(scope, id);
    // 'Default' keeps the logical id the key had when the stack created it directly, so a deployed key is kept, not replaced.
    this.key = new kms.Key(this, 'Default', { enableKeyRotation: true, removalPolicy: props.removalPolicy, description: 'Stepless: encrypts workflow payloads before they reach Temporal' });
  }

  /**
   * Use by a Temporal client or worker: exactly the calls runtime/encryption/kms-codec.ts makes,
   * GenerateDataKey to encrypt and Decrypt to unwrap a data key (not CDK's grantEncryptDecrypt,
   * which adds kms:Encrypt and kms:ReEncrypt*), with PAYLOAD_KMS_KEY_ID set to the key.
   */
  grantCodec(grantee: IEnvironmentGrantee): iam.Grant {
    grantee.addEnvironment('PAYLOAD_KMS_KEY_ID', this.key.keyArn);
    return this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}

import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Use of the payload encryption key by a Temporal client (the worker, the API function): exactly
 * the calls runtime/encryption/kms-codec.ts makes, GenerateDataKey to encrypt and Decrypt to
 * unwrap a data key. Not CDK's grantEncryptDecrypt, which adds kms:Encrypt and kms:ReEncrypt*.
 */
export function grantPayloadKey(key: kms.IKey, grantee: iam.IGrantable): iam.Grant {
  return key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
}

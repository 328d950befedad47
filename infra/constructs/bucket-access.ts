import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CLAIM_CHECK_PREFIX } from '../../runtime/claim-check/ref';
import type { BucketAccess } from '../../runtime/steps/declare';
import type { IEnvironmentGrantee } from './environment-grantee';

/** Access to one bucket: the key prefixes of each action, and the variable that names the bucket. */
export type PrefixAccess = Omit<BucketAccess, 'bucket'>;

/**
 * What the claim-check store (runtime/claim-check/store.ts) does: HEAD and PUT content-addressed
 * objects and GET them by reference, all under one prefix. It lists nothing, but S3 answers a HEAD
 * of a missing object 404 (rather than 403, which the store treats as an error) only to a caller
 * that may list the bucket, hence the unconditioned ListBucket.
 */
export const CLAIM_CHECK_ACCESS: PrefixAccess = { env: 'CLAIM_CHECK_BUCKET', read: [CLAIM_CHECK_PREFIX], write: [CLAIM_CHECK_PREFIX], list: [''] };

/**
 * Exactly `access` on `bucket` and nothing else: each action on object ARNs under its prefixes,
 * ListBucket with an `s3:prefix` condition unless the whole bucket ('') is listed, and on a
 * KMS-encrypted bucket the two key actions S3 calls for the caller: Decrypt to read, and
 * GenerateDataKey as well to write (not CDK's grantEncryptDecrypt, which adds Encrypt and
 * ReEncrypt*). Sets `access.env` to the bucket's name in the grantee's environment, and
 * acknowledges the object-ARN wildcards it creates for cdk-nag on the grantee's role, by exact id.
 */
export function grantBucketAccess(bucket: s3.IBucket, grantee: IEnvironmentGrantee, access: PrefixAccess): iam.Grant {
  grantee.addEnvironment(access.env, bucket.bucketName);
  const objects = (prefixes: readonly string[]) => prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
  const grant = (actions: string[], resourceArns: string[], conditions?: Record<string, Record<string, unknown>>) =>
    iam.Grant.addToPrincipal({ grantee, actions, resourceArns, ...(conditions ? { conditions } : {}) });
  const grants: iam.Grant[] = [];
  const versioned = access.versions === true;
  if (access.read?.length) grants.push(grant(['s3:GetObject', ...(versioned ? ['s3:GetObjectVersion'] : [])], objects(access.read)));
  if (access.write?.length) grants.push(grant(['s3:PutObject', 's3:AbortMultipartUpload'], objects(access.write)));
  if (access.delete?.length) grants.push(grant(['s3:DeleteObject', ...(versioned ? ['s3:DeleteObjectVersion'] : [])], objects(access.delete)));
  if (access.list?.length) {
    // The whole bucket ('') is granted without a condition: a HEAD or GET of a missing key carries no s3:prefix to match.
    const conditions = access.list.includes('') ? undefined : { StringLike: { 's3:prefix': access.list.map((prefix) => `${prefix}*`) } };
    grants.push(grant(['s3:ListBucket', ...(versioned ? ['s3:ListBucketVersions'] : [])], [bucket.bucketArn], conditions));
  }
  if (bucket.encryptionKey) {
    const writes = (access.write?.length ?? 0) > 0;
    grants.push(bucket.encryptionKey.grant(grantee, ...(writes ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:Decrypt'])));
  }
  acknowledgeObjectArns(bucket, grantee, [...(access.read ?? []), ...(access.write ?? []), ...(access.delete ?? [])]);
  const [first, ...rest] = grants;
  return first ? rest.reduce((all, g) => all.combine(g), first) : iam.Grant.drop(grantee, `no access to ${bucket.node.path} was declared`);
}

/** Claim checks on `bucket` (CLAIM_CHECK_ACCESS), with CLAIM_CHECK_BUCKET set. */
export function grantClaimChecks(bucket: s3.IBucket, grantee: IEnvironmentGrantee): iam.Grant {
  return grantBucketAccess(bucket, grantee, CLAIM_CHECK_ACCESS);
}

/**
 * Object actions need object ARNs, so each prefix granted is a `<bucket>/<prefix>*` resource that
 * cdk-nag's IAM5 reports; acknowledged where the grant is made, on the role holding it.
 */
function acknowledgeObjectArns(bucket: s3.IBucket, grantee: iam.IGrantable, prefixes: readonly string[]): void {
  const resource = bucket.node.defaultChild;
  if (!(resource instanceof CfnElement) || prefixes.length === 0) return;
  const principal = grantee.grantPrincipal;
  const scope = Construct.isConstruct(principal) ? principal : Stack.of(bucket);
  const ref = `<${Stack.of(bucket).getLogicalId(resource)}.Arn>`;
  Validations.of(scope).acknowledge(
    ...[...new Set(prefixes)].map((prefix) => ({
      id: `AwsSolutions-IAM5[Resource::${ref}/${prefix}*]`,
      reason: `Object actions need object ARNs: this grant covers the objects ${prefix ? `under ${prefix} ` : ''}of this one bucket, as declared.`,
    })),
  );
}

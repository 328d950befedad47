import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketAccess, BucketName, FunctionDeclaration, TableAccess, TableName } from '../../runtime/steps/declare';
import type { Target } from '../stacks/target';
import type { IdempotencyTable } from './idempotency-table';
import { NodeLambda } from './node-lambda';

/** The stack's buckets and tables, by the names step declarations use for them. */
export interface StepResources {
  readonly buckets: Readonly<Record<BucketName, s3.IBucket>>;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly idempotency: IdempotencyTable;
  /** Inputs and results above the claim-check threshold travel through this bucket. */
  readonly claimCheckBucket: s3.IBucket;
}

export interface DeclaredFunctionProps {
  readonly declaration: FunctionDeclaration;
  readonly target: Target;
  readonly resources: StepResources;
}

const lambdasDir = join(__dirname, '..', '..', 'lambdas');

/**
 * esbuild bundles the `typescript` package's code but not the standard library declaration files
 * its type checker reads from disk (lib.es5.d.ts, lib.es2022.*.d.ts, ...): copy them next to
 * index.js, where `ts.getDefaultLibFilePath` (and lambdas/shared/analysis/program.ts) look for them.
 */
const copyTypeScriptLibs = (inputDir: string, outputDir: string): string[] => [`cp "${inputDir}"/node_modules/typescript/lib/lib.*.d.ts "${outputDir}"/`];

/**
 * A Lambda function built from its declaration (runtime/steps/declare.ts): its handler, memory,
 * timeout and reserved concurrency, and exactly the access it declares: each bucket's prefixes for
 * the actions listed, each table's actions, the claim-check bucket and the idempotency table,
 * with the environment variable that names each resource set by the same grant.
 */
export class DeclaredFunction extends Construct {
  readonly lambda: NodeLambda;

  constructor(scope: Construct, id: string, props: DeclaredFunctionProps) {
    super(scope, id);
    const { declaration: decl, resources } = props;
    this.lambda = new NodeLambda(this, 'Lambda', {
      entry: join(lambdasDir, decl.folder, 'handler.ts'),
      target: props.target,
      description: decl.description,
      memorySize: decl.memoryMb,
      timeout: Duration.seconds(decl.timeoutSeconds),
      reservedConcurrency: decl.reservedConcurrency,
      ...(decl.claimChecks ? { claimCheckBucket: resources.claimCheckBucket } : {}),
      ...(decl.typescriptLibs ? { afterBundling: copyTypeScriptLibs } : {}),
    });
    const fn = this.lambda.fn;
    for (const access of decl.buckets ?? []) grantBucketAccess(fn, resources.buckets[access.bucket], access);
    for (const access of decl.tables ?? []) grantTableAccess(fn, resources.tables[access.table], access);
    if (decl.idempotency) resources.idempotency.grantItemAccess(fn);
  }
}

/** The declared actions on the declared prefixes only, and the bucket's name in `access.env`. */
function grantBucketAccess(fn: NodeLambda['fn'], bucket: s3.IBucket, access: BucketAccess): iam.Grant[] {
  fn.addEnvironment(access.env, bucket.bucketName);
  const objects = (prefixes: readonly string[]) => prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
  const grant = (actions: string[], resourceArns: string[], conditions?: Record<string, Record<string, unknown>>) =>
    iam.Grant.addToPrincipal({ grantee: fn, actions, resourceArns, ...(conditions ? { conditions } : {}) });
  const grants: iam.Grant[] = [];
  const versioned = access.versions === true;
  if (access.read?.length) grants.push(grant(['s3:GetObject', ...(versioned ? ['s3:GetObjectVersion'] : [])], objects(access.read)));
  if (access.write?.length) grants.push(grant(['s3:PutObject', 's3:AbortMultipartUpload'], objects(access.write)));
  if (access.delete?.length) grants.push(grant(['s3:DeleteObject', ...(versioned ? ['s3:DeleteObjectVersion'] : [])], objects(access.delete)));
  if (access.list?.length) {
    // The whole bucket ('') is granted without a condition: S3 answers a GetObject of a missing key
    // 404 only to a caller that may list, and such a request carries no s3:prefix to match.
    const prefixes = access.list.map((prefix) => `${prefix}*`);
    const conditions = access.list.includes('') ? undefined : { StringLike: { 's3:prefix': prefixes } };
    grants.push(grant(['s3:ListBucket', ...(versioned ? ['s3:ListBucketVersions'] : [])], [bucket.bucketArn], conditions));
  }
  // A KMS-encrypted bucket (on AWS) needs the key too: decrypt to read, encrypt to write.
  if (bucket.encryptionKey) {
    grants.push(access.write?.length ? bucket.encryptionKey.grantEncryptDecrypt(fn) : bucket.encryptionKey.grantDecrypt(fn));
  }
  return grants;
}

/** The declared item actions on the table, and the table's name in `access.env`. */
function grantTableAccess(fn: NodeLambda['fn'], table: dynamodb.ITable, access: TableAccess): iam.Grant {
  fn.addEnvironment(access.env, table.tableName);
  if (access.access === 'read') return table.grantReadData(fn);
  if (access.access === 'write') return table.grantWriteData(fn);
  if (access.access === 'readWrite') return table.grantReadWriteData(fn);
  return table.grant(fn, ...access.access);
}

import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketName, FunctionDeclaration, TableAccess, TableName } from '../../runtime/steps/declare';
import type { Target } from '../stacks/target';
import { grantBucketAccess, grantClaimChecks } from './bucket-access';
import type { IEnvironmentGrantee } from './environment-grantee';
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
 * the actions listed (infra/constructs/bucket-access.ts), each table's actions, the claim-check
 * prefix and the idempotency table, with the environment variable that names each resource set by
 * the same grant.
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
      ...(decl.typescriptLibs ? { afterBundling: copyTypeScriptLibs } : {}),
    });
    const fn = this.lambda.fn;
    for (const access of decl.buckets ?? []) grantBucketAccess(resources.buckets[access.bucket], fn, access);
    for (const access of decl.tables ?? []) grantTableAccess(resources.tables[access.table], fn, access);
    if (decl.claimChecks) grantClaimChecks(resources.claimCheckBucket, fn);
    if (decl.idempotency) resources.idempotency.grantItemAccess(fn);
  }
}

/** The declared item actions on the table, and the table's name in `access.env`. */
function grantTableAccess(table: dynamodb.ITable, fn: IEnvironmentGrantee, access: TableAccess): iam.Grant {
  fn.addEnvironment(access.env, table.tableName);
  if (access.access === 'read') return table.grantReadData(fn);
  if (access.access === 'write') return table.grantWriteData(fn);
  if (access.access === 'readWrite') return table.grantReadWriteData(fn);
  return table.grant(fn, ...access.access);
}

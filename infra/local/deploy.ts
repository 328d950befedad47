import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { awsRegion, localAwsClientConfig, localAwsEnv } from './config';
import { runStep } from './exec';
import { repoRoot, stateRoot } from './paths';

export const LOCAL_STACK_NAME = 'Stepless-local';
/** Written by each deploy; its presence means the stack was deployed into this state directory before. */
export const outputsFile = join(stateRoot, 'stack-outputs.json');

/** What the deployed stack tells the worker, the scripts and the tests. */
export interface StackOutputs {
  ApiUrl: string;
  DataBucketName: string;
  JobsTableName: string;
  TaskQueue: string;
  WorkerFunctions: string;
  TextStatsLogGroup: string;
  ApiLogGroup: string;
  IdempotencyTableName: string;
  AuditTableName: string;
  AuditAnchorBucketName: string;
  AuditSigningKeyArn: string;
  /** The outputs each workflow's services add (table names, log groups). */
  [output: string]: string;
}

const cloudFormation = () =>
  new CloudFormationClient(localAwsClientConfig);

/** Runs the CDK CLI against LocalStack; its output goes to a log file, its tail is shown on failure. */
async function cdk(title: string, args: string[], logName: string): Promise<void> {
  await runStep(title, join(repoRoot, 'node_modules', '.bin', 'cdk'), args, {
    cwd: repoRoot,
    env: { ...process.env, ...localAwsEnv, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    logName,
  });
}

async function stackExists(name: string): Promise<boolean> {
  try {
    const res = await cloudFormation().send(new DescribeStacksCommand({ StackName: name }));
    return (res.Stacks ?? []).some((s) => !['DELETE_COMPLETE', 'ROLLBACK_COMPLETE'].includes(s.StackStatus ?? ''));
  } catch {
    return false;
  }
}

/** Deploys the stack to LocalStack with the CDK CLI (bootstrapping once) and returns its outputs. */
export async function deployLocalStack(): Promise<StackOutputs> {
  if (!(await stackExists('CDKToolkit'))) {
    await cdk('Bootstrapping CDK in LocalStack', ['bootstrap', `aws://000000000000/${awsRegion}`], 'cdk-bootstrap').catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await failureEvents('CDKToolkit')}`);
    });
  }
  mkdirSync(stateRoot, { recursive: true });
  const started = new Date(Date.now() - 1000);
  await cdk(
    `cdk deploy ${LOCAL_STACK_NAME} (synth, esbuild bundling, CloudFormation)`,
    ['deploy', LOCAL_STACK_NAME, '-c', 'target=local', '--require-approval', 'never', '--progress', 'events', '--outputs-file', outputsFile],
    'cdk-deploy',
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await failureEvents(LOCAL_STACK_NAME, started)}`);
  });
  return readStackOutputs();
}

export function readStackOutputs(): StackOutputs {
  if (!existsSync(outputsFile)) throw new Error(`the stack has not been deployed yet (no ${outputsFile}); run npm start`);
  const all = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, StackOutputs>;
  const outputs = all[LOCAL_STACK_NAME];
  if (outputs === undefined) throw new Error(`${outputsFile} has no outputs for ${LOCAL_STACK_NAME}; run npm start`);
  return outputs;
}

/** The CloudFormation events that explain a failed deploy: every *_FAILED event with its reason. */
export async function failureEvents(stackName: string, since = new Date(0)): Promise<string> {
  try {
    const res = await cloudFormation().send(new DescribeStackEventsCommand({ StackName: stackName }));
    const failed = (res.StackEvents ?? []).filter((e) => e.ResourceStatus?.endsWith('FAILED') && (e.Timestamp ?? since) >= since);
    if (failed.length === 0) return `No failed CloudFormation events recorded for ${stackName}.`;
    return [
      `CloudFormation events of ${stackName} that explain the failure:`,
      ...failed.reverse().map((e) => `  ${e.Timestamp?.toISOString() ?? ''} ${e.LogicalResourceId} (${e.ResourceType}) ${e.ResourceStatus}: ${e.ResourceStatusReason ?? ''}`),
    ].join('\n');
  } catch (err) {
    return `Could not read the CloudFormation events of ${stackName}: ${(err as Error).message}`;
  }
}

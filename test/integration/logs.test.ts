import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { awsRegion, localAwsEnv } from '../../infra/local/config';
import { LOCAL_STACK_NAME } from '../../infra/local/deploy';
import { repoRoot } from '../../infra/local/paths';
import { pollJob, startJob } from '../../scripts/client';
import { stack } from '../support/stack';

/**
 * `npm run logs` run the way a user runs it (`npx tsx scripts/logs.ts ...`, a child process). With
 * `--stack`, "AWS" is LocalStack: the SDK reaches it through AWS_ENDPOINT_URL and the test
 * credentials, so DescribeStacks and FilterLogEvents take the same path as on AWS but the endpoint.
 */
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The developer's own AWS setup must not leak in: no profile, config file or instance credentials. */
const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true', NODE_NO_WARNINGS: '1' };
  for (const name of Object.keys(env)) {
    if (/^AWS_(PROFILE|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|ENDPOINT_URL.*|CONTAINER_.*|WEB_IDENTITY_TOKEN_FILE|ROLE_ARN)$/.test(name)) delete env[name];
  }
  return env;
};
/**
 * The environment of a user whose AWS is LocalStack. No local state directory, so the outputs can
 * only have come from CloudFormation, not from the file the local deploy wrote.
 */
const awsEnv = (): NodeJS.ProcessEnv => ({ ...baseEnv(), ...localAwsEnv, STEPLESS_STATE_DIR: join(tmpdir(), `stepless-no-state-${randomUUID()}`) });

function logs(args: string[], env: NodeJS.ProcessEnv = baseEnv()): Promise<Run> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'scripts/logs.ts', ...args], { cwd: repoRoot, env, timeout: 120000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

interface JsonLine {
  time: string;
  source: string;
  /** The worker's lines. */
  msg?: string;
  /** The functions' lines (Powertools Logger). */
  message?: string;
}

/** What a line says, whichever logger wrote it. */
const said = (l: JsonLine) => l.msg ?? l.message;

const jsonLines = (run: Run): JsonLine[] => {
  if (run.code !== 0) throw new Error(`logs.ts exited ${run.code}: ${run.stderr}`);
  return run.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as JsonLine);
};

describe('npm run logs: the local stack, and the same stack reached as AWS is with --stack', () => {
  let workflowId: string;
  const forJob = () => ['--workflow', workflowId, '--since', '15m', '--json'];

  beforeAll(async () => {
    const accepted = await startJob(stack().ApiUrl, { text: `logs test ${randomUUID()}` });
    workflowId = accepted.workflowId;
    await pollJob(accepted.statusUrl, { timeoutMs: 90000 });
    // The worker ships its log in batches: wait until the job's last worker line and the function's line are in.
    const deadline = Date.now() + 60000;
    for (;;) {
      const lines = jsonLines(await logs(forJob()));
      if (lines.some((l) => l.source === 'worker' && l.msg === 'text-stats job finished') && lines.some((l) => l.source === 'textStats' && said(l) === 'text-stats finished')) break;
      if (Date.now() > deadline) throw new Error(`the job's log lines did not all arrive: ${JSON.stringify(lines)}`);
      await sleep(2000);
    }
  });

  it('--stack Stepless-local (CloudFormation DescribeStacks, LogGroups output) prints what the default path prints', async () => {
    let local: JsonLine[] = [];
    let viaStack: JsonLine[] = [];
    // A late line of the job between the two runs would differ them; a second pair settles that.
    for (let attempt = 0; attempt < 2; attempt++) {
      local = jsonLines(await logs(forJob()));
      viaStack = jsonLines(await logs(['--stack', LOCAL_STACK_NAME, ...forJob()], awsEnv()));
      if (JSON.stringify(viaStack) === JSON.stringify(local)) break;
    }
    expect(viaStack).toEqual(local);
    expect(new Set(viaStack.map((l) => l.source))).toEqual(new Set(['worker', 'textStats']));
    expect(viaStack.map(said)).toEqual(expect.arrayContaining(['text-stats job started', 'invoking Lambda function', 'text-stats finished', 'text-stats job finished']));
  });

  it('--source keeps only the sources named, on either path', async () => {
    const worker = jsonLines(await logs(['--source', 'worker', ...forJob()]));
    expect(worker.length).toBeGreaterThan(0);
    expect(worker.every((l) => l.source === 'worker')).toBe(true);

    const fn = jsonLines(await logs(['--stack', LOCAL_STACK_NAME, '--source', 'textStats,api', ...forJob()], awsEnv()));
    expect(fn.map(said)).toContain('text-stats finished');
    expect(fn.every((l) => l.source === 'textStats')).toBe(true);
  });

  it('an unknown --source is named, with the sources the stack has', async () => {
    const run = await logs(['--stack', LOCAL_STACK_NAME, '--source', 'worker,nosuch'], awsEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown source "nosuch"; known sources: ');
    for (const known of ['api', 'textStats', 'worker', 'orderPayment']) expect(run.stderr).toContain(known);
  });
});

describe('npm run logs --stack: errors that say what to do', () => {
  it('a stack that does not exist is named with its region', async () => {
    const name = `Stepless-missing-${randomUUID().slice(0, 8)}`;
    const run = await logs(['--stack', name], awsEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`stack ${name} not found in region ${awsRegion} (deploy it, or pass --region)`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('no credentials: says how to configure them', async () => {
    const run = await logs(['--stack', 'Stepless-prod', '--region', 'eu-west-1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no AWS credentials found');
    expect(run.stderr).toContain('aws configure');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

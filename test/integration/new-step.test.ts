import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../infra/local/paths';
import { hasWorkflowPollers, workerEnv } from '../../infra/local/worker-service';
import type { StackOutputs } from '../../infra/local/deploy';
import { temporalClient } from '../support/stack';

/**
 * What the README's "Write your own workflow" promises, done as a user would in a copy of the
 * project: `npm run new:step`, a workflow of two Lambda steps (the new one and text-stats), a
 * deploy to the local cloud and a worker started from the copy; the workflow runs both steps
 * in Lambda and its history names them.
 */
const exec = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) => {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
};

/** The project as a fresh checkout has it (tracked and new files), sharing node_modules. */
function copyProject(): string {
  const copy = mkdtempSync(join(tmpdir(), 'stepless-new-step-'));
  const files = exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot).split('\0').filter(Boolean);
  for (const file of files) {
    try {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(repoRoot, file), join(copy, file));
    } catch (err) {
      // A file deleted in the working tree but still in the index.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

const WORKFLOW = `import { step } from '../runtime/steps/workflow';
import { summarizeText } from '../lambdas/summarize-text/steps';
import { textStats } from '../lambdas/text-stats/steps';

const summarize = step(summarizeText.steps.run, { startToCloseTimeout: '1 minute' });
const countWords = step(textStats.steps.compute, { startToCloseTimeout: '1 minute' });

export async function summaryJob(input: { jobId: string; text: string }): Promise<{ summary: string; words: number; distinctWords: number }> {
  const { summary, words } = await summarize({ text: input.text });
  const stats = await countWords({ jobId: input.jobId, text: input.text });
  return { summary, words, distinctWords: stats.distinctWords };
}
`;

describe('npm run new:step: scaffolded, deployed to the local cloud and called from a workflow', () => {
  let copy: string;
  let worker: ChildProcess | undefined;
  let workerLog = '';
  const taskQueue = `new-step-${randomUUID()}`;

  beforeAll(() => {
    copy = copyProject();
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker!.once('close', resolve));
    }
    rmSync(copy, { recursive: true, force: true });
  });

  it('creates a step whose unit test, types and lint pass as generated', () => {
    const out = exec('npx', ['tsx', 'scripts/new-step.ts', 'summarizeText'], copy);
    expect(out).toContain('lambdas/summarize-text/steps.ts');
    expect(readFileSync(join(copy, 'lambdas', 'catalog.ts'), 'utf8')).toContain("import { summarizeText } from './summarize-text/steps';");
    writeFileSync(join(copy, 'workflows', 'summary-job.ts'), WORKFLOW);
    appendFileSync(join(copy, 'workflows', 'index.ts'), "export { summaryJob } from './summary-job';\n");
    exec('npx', ['jest', 'test/unit/steps/summarize-text.test.ts'], copy);
    exec('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], copy);
    exec('npx', ['eslint', 'lambdas/summarize-text', 'test/unit/steps/summarize-text.test.ts', 'workflows/summary-job.ts', 'lambdas/catalog.ts'], copy);
    // A second run with the same name changes nothing and says why.
    const again = spawnSync('npx', ['tsx', 'scripts/new-step.ts', 'summarizeText'], { cwd: copy, encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('lambdas/summarize-text already exists');
  });

  it('deploys, and a worker from the copy runs both steps in Lambda under their own names', async () => {
    exec('npx', ['tsx', 'scripts/deploy-local.ts'], copy);
    const outputs = (JSON.parse(readFileSync(join(copy, '.local', 'stack-outputs.json'), 'utf8')) as Record<string, StackOutputs>)['Stepless-local']!;
    expect(Object.keys(JSON.parse(outputs.WorkerFunctions) as Record<string, string>)).toContain('summarizeText');

    worker = spawn(process.execPath, ['--import', 'tsx', join(copy, 'worker', 'main.ts')], {
      cwd: copy,
      env: { ...workerEnv(outputs), TASK_QUEUE: taskQueue, WORKER_METRICS: 'off', WORKER_LOG_GROUP: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
    worker.stderr!.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
    const deadline = Date.now() + 90_000;
    while (!(await hasWorkflowPollers(taskQueue))) {
      if (worker.exitCode !== null || Date.now() > deadline) throw new Error(`the copy's worker did not start:\n${workerLog}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }

    const { client, close } = await temporalClient();
    try {
      const workflowId = `summary-${randomUUID()}`;
      const result = await client.workflow.execute('summaryJob', {
        taskQueue,
        workflowId,
        args: [{ jobId: workflowId, text: 'Declared once. Named everywhere; typed from workflow to handler.' }],
      });
      expect(result).toEqual({ summary: 'Declared once.', words: 9, distinctWords: 9 });
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const types = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
      expect(types).toEqual(['summarizeText', 'computeTextStats']);
    } finally {
      await close();
    }
  });
});

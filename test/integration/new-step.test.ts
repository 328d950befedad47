import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { upLocalCloud } from '../../infra/local/cloud';
import { readStackOutputs } from '../../infra/local/deploy';
import { repoRoot, stateRoot } from '../../infra/local/paths';
import { temporalClient } from '../support/stack';

/**
 * The README's "Write your own workflow", done as written in a copy of the project: the file
 * blocks are read out of the README, the commands are the ones it shows, and `npm start` runs in
 * the copy against the shared local cloud (its state directory), so the copy's stack and worker
 * replace the shared ones for the duration; afterwards the shared stack and worker are restored.
 */
const exec = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) => {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
};

/** The project as a fresh checkout has it (tracked and new files), sharing node_modules. */
function copyProject(): string {
  const copy = mkdtempSync(join(tmpdir(), 'stepless-own-workflow-'));
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

/** The README section's TypeScript blocks whose first line names a file: `// path` or `// append to path`. */
function readmeFileBlocks(): Array<{ path: string; append: boolean; text: string }> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('## Write your own workflow');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```ts\n\/\/ (append to )?(\S+)\n([\s\S]*?)```/g)].map((m) => ({ path: m[2]!, append: m[1] !== undefined, text: m[3]! }));
}

describe("README, Write your own workflow: a new step and a workflow of two Lambda steps, started over HTTP", () => {
  let copy: string;
  const env = { ...process.env, STEPLESS_STATE_DIR: stateRoot };

  beforeAll(() => {
    copy = copyProject();
  });

  afterAll(async () => {
    // Back to the shared stack and worker (the fingerprint tells the worker service it changed).
    await upLocalCloud();
    rmSync(copy, { recursive: true, force: true });
  }, 600_000);

  it('steps 1-3: the scaffolded step, the workflow and the route compile, lint and pass their unit test', () => {
    const out = exec('npx', ['tsx', 'scripts/new-step.ts', 'summarizeText'], copy);
    expect(out).toContain('lambdas/summarize-text/steps.ts');
    exec('npx', ['jest', 'test/unit/steps/summarize-text.test.ts'], copy);
    // A second run with the same name changes nothing and says why.
    const again = spawnSync('npx', ['tsx', 'scripts/new-step.ts', 'summarizeText'], { cwd: copy, encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('lambdas/summarize-text already exists');

    const blocks = readmeFileBlocks();
    expect(blocks.map((b) => b.path)).toEqual(['workflows/summary-job.ts', 'workflows/index.ts', 'api/specs/summaries.ts', 'api/summaries.ts']);
    for (const block of blocks) (block.append ? appendFileSync : writeFileSync)(join(copy, block.path), block.text);
    // "Then list them", as the README says in words.
    const edit = (path: string, edits: Array<[RegExp, string]>) => {
      let text = readFileSync(join(copy, path), 'utf8');
      for (const [pattern, replacement] of edits) {
        expect(text).toMatch(pattern);
        text = text.replace(pattern, replacement);
      }
      writeFileSync(join(copy, path), text);
    };
    edit('api/specs/route-table.ts', [
      [/^(import { trainingSpecs } from '\.\/trainings';)$/m, "$1\nimport { summarySpecs } from './summaries';"],
      [/(export const routeSpecs = {\n)/, '$1  summaries: summarySpecs,\n'],
    ]);
    edit('api/handler.ts', [
      [/^(import { trainingHandlers } from '\.\/trainings';)$/m, "$1\nimport { summaryHandlers } from './summaries';"],
      [/(attach\(routeSpecs, {\n)/, '$1    summaries: summaryHandlers,\n'],
    ]);
    exec('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], copy);
    exec('npx', ['eslint', 'lambdas/summarize-text', 'lambdas/catalog.ts', 'test/unit/steps/summarize-text.test.ts', 'workflows/summary-job.ts', 'workflows/index.ts', 'api'], copy);
  }, 600_000);

  it('step 4: npm start deploys it; POST /summaries runs both steps in Lambda under their own names', async () => {
    // `npm start` without its npm pre-script (which would install packages into the shared node_modules).
    exec('npx', ['tsx', 'scripts/start.ts'], copy, env);
    // The copy deployed into the shared state directory, so its outputs are where the shared cloud's are.
    const outputs = readStackOutputs();
    expect(Object.keys(JSON.parse(outputs.WorkerFunctions) as Record<string, string>)).toContain('summarizeText');

    const summaryId = `readme-${Date.now()}`;
    const post = await fetch(new URL('summaries', outputs.ApiUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ summaryId, text: 'Declared once. Named everywhere.' }),
    });
    expect(post.status).toBe(202);
    let status: { status?: string; result?: unknown } = {};
    for (const deadline = Date.now() + 90_000; Date.now() < deadline && status.status !== 'COMPLETED'; ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      status = (await (await fetch(new URL(`summaries/${summaryId}`, outputs.ApiUrl))).json()) as typeof status;
    }
    expect(status).toMatchObject({ summaryId, status: 'COMPLETED', result: { summary: 'Declared once.', words: 4, distinctWords: 4 } });

    const { client, close } = await temporalClient();
    try {
      const history = await client.workflow.getHandle(`summary-${summaryId}`).fetchHistory();
      const types = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
      expect(types).toEqual(['summarizeText', 'computeTextStats']);
    } finally {
      await close();
    }
  }, 600_000);
});

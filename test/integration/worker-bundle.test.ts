import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localAwsEnv, temporalAddress } from '../../infra/local/config';
import { stateRoot } from '../../infra/local/paths';
import { hasWorkflowPollers } from '../../infra/local/worker-service';
import { buildWorker } from '../../scripts/build-worker';
import { stack, temporalClient } from '../support/stack';
import { waitFor } from './lambda-bridge-support';

/**
 * The worker as its container runs it: built by scripts/build-worker.ts (the Dockerfile's build
 * stage), started with `node main.js` (the image's command), serving a real workflow whose step
 * runs in the deployed text-stats Lambda, and stopping cleanly on SIGTERM (what ECS sends).
 */
const outDir = join(stateRoot, 'build', `worker-test-${process.pid}`);
const taskQueue = `bundle-${randomUUID()}`;

describe('the production worker bundle', () => {
  let worker: { child: ChildProcess; output: () => string; exited: Promise<number | null> } | undefined;

  beforeAll(async () => {
    await buildWorker(outDir);
  }, 300000);

  afterAll(() => {
    worker?.child.kill('SIGKILL');
  });

  it('contains the pre-bundled workflow code, main.js, and the packages it still needs', () => {
    for (const f of ['main.js', 'workflow-bundle.js', 'package.json']) expect(existsSync(join(outDir, f))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(outDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).every((d) => d.startsWith('@temporalio/'))).toBe(true);
    // The workflow code is in the bundle, so the worker never runs webpack at start-up.
    expect(readFileSync(join(outDir, 'workflow-bundle.js'), 'utf8')).toContain('textStatsJob');
  });

  it('starts with node main.js, runs a workflow through the deployed Lambda, and exits 0 on SIGTERM', async () => {
    const started = Date.now();
    let output = '';
    const child = spawn(process.execPath, ['--enable-source-maps', join(outDir, 'main.js')], {
      // Run from elsewhere than the repo, as in the image: nothing may be read from the source tree.
      cwd: outDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...localAwsEnv,
        TEMPORAL_ADDRESS: temporalAddress,
        TASK_QUEUE: taskQueue,
        STEPLESS_FUNCTIONS: stack().WorkerFunctions,
        S3_FORCE_PATH_STYLE: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    worker = { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };

    await waitFor('the built worker to poll its task queue', () => hasWorkflowPollers(taskQueue), 60000);
    console.log(`built worker polling ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
    expect(output).toContain('"msg":"worker started"');
    expect(output).not.toContain('Workflow bundle created'); // no webpack at start-up

    const { client, close } = await temporalClient();
    try {
      const result = await client.workflow.execute('textStatsJob', {
        taskQueue,
        workflowId: `bundle-${randomUUID()}`,
        args: [{ jobId: `bundle-${randomUUID().slice(0, 8)}`, text: 'one two two three three three' }],
      });
      expect(result).toMatchObject({ words: 6, distinctWords: 3 });
    } finally {
      await close();
    }

    child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(output).toContain('"msg":"worker stopped"');
  });
});

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { build } from 'esbuild';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { runMain } from './run-main';
import { pruneLockfile, type Lockfile } from './worker-lockfile';
import { workflowInterceptorModules } from '../worker/metrics';

/**
 * `npm run build:worker [-- --out dist/worker]`: the worker as it ships in its container image.
 *
 * - workflow-bundle.js: the workflow code, bundled ahead of time by the Temporal SDK, so a worker
 *   starts polling in about a second instead of webpacking the workflows on every start.
 * - main.js: the worker process (worker/main.ts and everything it imports), one file by esbuild.
 * - package.json: what main.js still needs from npm. The Temporal SDK stays a package (its core is
 *   a native addon, and it loads parts of itself by path); everything else is inside main.js.
 *
 * `node <out>/main.js` is the container's command (Dockerfile); test/integration/worker-bundle.test.ts
 * builds this and runs it against the local Temporal server.
 */
const repoRoot = join(__dirname, '..');
const EXTERNAL = ['@temporalio/worker', '@temporalio/client', '@temporalio/common', '@temporalio/activity', '@temporalio/proto', '@temporalio/workflow'];

export async function buildWorker(outDir: string): Promise<{ files: string[]; workflowBundleBytes: number; mainBytes: number }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  // The metrics interceptor goes into the bundle: a worker given a prebuilt bundle cannot add it later.
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    workflowInterceptorModules: workflowInterceptorModules(),
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(join(outDir, 'workflow-bundle.js'), code);

  await build({
    entryPoints: [join(repoRoot, 'worker', 'main.ts')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    // ../workflows and the interceptor module (worker/metrics/index.ts): only resolved when there
    // is no prebuilt bundle, i.e. never in this build.
    external: [...EXTERNAL, '../workflows', '../../workflows/lib/metrics-interceptor'],
    logLevel: 'warning',
  });

  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const { lockfile, dependencies } = pruneLockfile(lock, 'stepless-worker', EXTERNAL);
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ name: 'stepless-worker', private: true, main: 'main.js', dependencies }, null, 2)}\n`);
  writeFileSync(join(outDir, 'package-lock.json'), `${JSON.stringify(lockfile, null, 2)}\n`);
  return {
    files: ['main.js', 'main.js.map', 'workflow-bundle.js', 'package.json', 'package-lock.json'],
    workflowBundleBytes: code.length,
    mainBytes: readFileSync(join(outDir, 'main.js')).length,
  };
}

if (require.main === module) {
  runMain(async () => {
    const i = process.argv.indexOf('--out');
    const out = i >= 0 ? process.argv[i + 1] : 'dist/worker';
    if (!out) throw new Error('--out needs a directory');
    const outDir = isAbsolute(out) ? out : join(process.cwd(), out);
    const t0 = Date.now();
    const built = await buildWorker(outDir);
    console.log(
      `worker built in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${relative(process.cwd(), outDir) || '.'}/ (main.js ${(built.mainBytes / 1024).toFixed(0)} KiB, workflow-bundle.js ${(built.workflowBundleBytes / 1024).toFixed(0)} KiB)\nrun it: node ${relative(process.cwd(), join(outDir, 'main.js'))}`,
    );
  });
}

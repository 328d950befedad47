import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ensureHadolint } from '../../infra/local/hadolint';
import { repoRoot } from '../../infra/local/paths';

/** The worker image's Dockerfile: linted by hadolint, and built the way the worker-bundle test builds it. */
describe('Dockerfile', () => {
  const dockerfile = join(repoRoot, 'Dockerfile');

  it('passes hadolint with no findings', async () => {
    const hadolint = await ensureHadolint();
    const run = (file: string) => {
      try {
        return { code: 0, out: execFileSync(hadolint, ['--no-color', file]).toString() };
      } catch (err) {
        const e = err as { status: number; stdout: Buffer };
        return { code: e.status, out: e.stdout.toString() };
      }
    };
    expect(run(dockerfile)).toEqual({ code: 0, out: '' });
    // And it does find faults: an untagged base image and root at run time.
    const bad = join(tmpdir(), `Dockerfile.bad-${process.pid}`);
    writeFileSync(bad, 'FROM node\nRUN apt-get update && apt-get install -y curl\nCMD node main.js\n');
    const findings = run(bad);
    expect(findings.code).not.toBe(0);
    expect(findings.out).toContain('DL3006');
  }, 300000);

  it('runs as a non-root user, from the built bundle, with the build stage left behind', () => {
    const text = readFileSync(dockerfile, 'utf8');
    const stages = text.split(/^FROM /m).slice(1);
    const final = stages.at(-1)!;
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(final).toMatch(/^USER 1000:1000$/m);
    expect(final).toContain('CMD ["node", "--enable-source-maps", "main.js"]');
    expect(final).not.toMatch(/npm (ci|install)|tsx/);
    // The build stage runs the same build the worker-bundle integration test starts.
    expect(text).toContain('scripts/build-worker.ts --out dist/worker');
  });
});

describe('.dockerignore', () => {
  it('lets every file the Dockerfile copies into the build context (it is an allowlist)', () => {
    const allowed = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    const sources = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')
      .split('\n')
      .filter((l) => /^COPY /.test(l) && !l.includes('--from='))
      .flatMap((l) => l.replace(/^COPY\s+/, '').split(/\s+/).slice(0, -1))
      .map((s) => s.replace(/\/$/, ''));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) expect(allowed).toContain(source);
  });

  it('holds every local module the image build script, the worker and the workflows import', async () => {
    // The build stage runs scripts/build-worker.ts, which bundles worker/main.ts and workflows/: whatever they import from the repo must be in the context.
    const entryPoints = ['scripts/build-worker.ts', 'worker/main.ts', 'workflows/index.ts'].map((f) => join(repoRoot, f));
    const { metafile } = await build({ entryPoints, outdir: join(tmpdir(), 'dockerignore-check'), bundle: true, platform: 'node', packages: 'external', write: false, metafile: true, absWorkingDir: repoRoot, logLevel: 'silent' });
    const allowed = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('scripts/run-main.ts');
    const outside = inputs.filter((file) => !allowed.some((a) => (a.endsWith('/') ? file.startsWith(a) : file === a)));
    expect(outside).toEqual([]);
  });
});

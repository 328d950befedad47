import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommand, runStep, which } from './exec';
import { cacheRoot, repoRoot } from './paths';

/**
 * Validating a Compose file the way Docker Compose does: `docker compose config` where the docker
 * client has the compose plugin, and elsewhere (our build machines have no Docker) a small Go
 * program on compose-go, the library Compose v2 loads and validates files with.
 */
export interface ComposeValidator {
  /** What runs, for messages: `docker compose` or `compose-go`. */
  readonly name: 'docker compose' | 'compose-go';
  readonly command: string;
  /**
   * Arguments that load `file` (schema validation, interpolation, normalization, consistency
   * checks) and print its normalized model as JSON; on an invalid file the command exits non-zero
   * with the error on stderr. `projectDir` defaults to the file's directory, as in Compose.
   */
  args(file: string, projectDir?: string): string[];
}

const sourceDir = join(repoRoot, 'infra', 'local', 'compose-validator');
const sourceFiles = ['go.mod', 'go.sum', 'main.go'];

/** The validator's cache key: its source, so an edit to main.go or a version bump rebuilds it. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const name of sourceFiles) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(sourceDir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

function hasComposePlugin(): string | undefined {
  const docker = which('docker');
  if (docker === undefined) return undefined;
  const result = spawnSync(docker, ['compose', 'version'], { stdio: 'ignore', timeout: 30000 });
  return result.status === 0 ? docker : undefined;
}

/** Builds the compose-go validator into the cache, once per version of its source; returns its path. */
export async function ensureComposeValidatorBinary(): Promise<string> {
  const dir = join(cacheRoot, 'compose-validator', sourceHash());
  const binary = join(dir, 'compose-validator');
  if (existsSync(binary)) return binary;
  const go = requireCommand('go', 'the compose validator is built from source; install Go 1.24+ (https://go.dev/doc/install)');
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await runStep(
      'Building the compose validator (compose-go, from the Go module proxy; once, about a minute on 2 cores)',
      go,
      ['build', '-o', join(staging, 'compose-validator'), '.'],
      // The Temporal CLI build's environment (infra/local/temporal.ts); GOWORK=off because, unlike
      // `go install pkg@version`, `go build` in a directory would join a go.work found above the clone.
      { cwd: sourceDir, env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOWORK: 'off' }, logName: 'build-compose-validator' },
    );
    if (!existsSync(join(staging, 'compose-validator'))) throw new Error(`go build finished but produced no binary in ${staging}`);
    try {
      renameSync(staging, dir);
    } catch (err) {
      // Another process built the same source meanwhile; its binary is as good as ours.
      if (!existsSync(binary)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/** How to validate a Compose file on this machine, building the compose-go validator if it must. */
export async function composeValidator(): Promise<ComposeValidator> {
  const docker = hasComposePlugin();
  if (docker !== undefined) {
    return {
      name: 'docker compose',
      command: docker,
      args: (file, projectDir) => ['compose', '-f', file, ...(projectDir ? ['--project-directory', projectDir] : []), 'config', '--format', 'json'],
    };
  }
  const binary = await ensureComposeValidatorBinary();
  return { name: 'compose-go', command: binary, args: (file, projectDir) => ['--format', 'json', file, ...(projectDir ? [projectDir] : [])] };
}

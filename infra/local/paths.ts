import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (this file lives in infra/local/). */
export const repoRoot = resolve(__dirname, '..', '..');

/**
 * Heavy tools (the Temporal CLI, the LocalStack virtualenv, DynamoDB Local, the Java test server)
 * are cached outside the clone so that a fresh clone, or `git clean`, does not rebuild them.
 */
export const cacheRoot =
  process.env.STEPLESS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stepless');

/** Per-clone state: databases, logs, pid files. Gitignored. */
export const stateRoot = process.env.STEPLESS_STATE_DIR ?? join(repoRoot, '.local');
export const logsDir = join(stateRoot, 'logs');
export const runDir = join(stateRoot, 'run');

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { logsDir } from './paths';

/** Thrown when something the local cloud needs is not installed; the message says how to get it. */
export class MissingPrerequisiteError extends Error {
  override readonly name = 'MissingPrerequisiteError';
}

/** The absolute path of `command` on PATH, or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function requireCommand(command: string, howToGet: string): string {
  const found = which(command);
  if (found === undefined) throw new MissingPrerequisiteError(`${command} not found on PATH: ${howToGet}`);
  return found;
}

/** Runs a command to completion and returns its stdout; throws with stderr on failure. */
export function capture(command: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { env: env ?? process.env, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/**
 * Runs a long provisioning step (a Go build, a pip install) with its output in a log file and a
 * progress line every 15 s, so a cold first run never looks hung. Throws with the log's tail.
 */
export async function runStep(
  title: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logName: string },
): Promise<void> {
  mkdirSync(logsDir, { recursive: true });
  const logPath = join(logsDir, `${opts.logName}.log`);
  const log = createWriteStream(logPath, { flags: 'w' });
  const started = Date.now();
  console.log(`  ${title} (log: ${logPath})`);
  const ticker = setInterval(() => {
    console.log(`  … ${title}: ${Math.round((Date.now() - started) / 1000)} s`);
  }, 15000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      child.once('error', reject);
      child.once('close', resolve);
    });
    await new Promise<void>((resolve) => log.end(resolve));
    if (code !== 0) {
      const tail = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-25).join('\n');
      throw new Error(`${title} failed (exit ${code}). Last lines of ${logPath}:\n${tail}`);
    }
    console.log(`  ${title}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    clearInterval(ticker);
  }
}

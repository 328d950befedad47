import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logsDir, runDir } from './paths';

/**
 * Background services of the local cloud: each runs detached, with its output in
 * `.local/logs/<name>.log` and its pid in `.local/run/<name>.pid`, so that `npm start`, `npm stop`
 * and `local:status` (separate processes) agree on what is running.
 */
export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export const logFile = (name: string): string => join(logsDir, `${name}.log`);
const pidFile = (name: string): string => join(runDir, `${name}.pid`);

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a service we started and that is still alive, else undefined (stale pid files are removed). */
export function runningPid(name: string): number | undefined {
  const file = pidFile(name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  rmSync(file, { force: true });
  return undefined;
}

export function startService(spec: ServiceSpec): number {
  mkdirSync(logsDir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  const out = openSync(logFile(spec.name), 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true, // own process group: stopService can signal the service and its children together
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  child.unref();
  writeFileSync(pidFile(spec.name), String(child.pid));
  return child.pid;
}

/** SIGTERM the service's process group, then SIGKILL it if it has not exited within `graceMs`. */
export async function stopService(name: string, graceMs = 15000): Promise<boolean> {
  const pid = runningPid(name);
  if (pid === undefined) return false;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  rmSync(pidFile(name), { force: true });
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on now (the system picks it), for a second server beside ours. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` until it returns true. Fails early, with the tail of the service's log, if the
 * service's process dies while we wait: a crash should not look like a slow start.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; service?: string; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (opts.service !== undefined && runningPid(opts.service) === undefined) {
      throw new Error(`${what}: the process exited during start-up.\n${tailOfLog(opts.service)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not ready after ${Math.round(opts.timeoutMs / 1000)} s.\n${tailOfLog(opts.service)}`);
    }
    await sleep(opts.intervalMs ?? 500);
  }
}

export function tailOfLog(name: string | undefined, lines = 30): string {
  if (name === undefined || !existsSync(logFile(name))) return '';
  const text = readFileSync(logFile(name), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  return `Last lines of ${logFile(name)}:\n${text}`;
}

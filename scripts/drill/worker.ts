import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { StackOutputs } from '../../infra/local/deploy';
import { repoRoot } from '../../infra/local/paths';
import { workerEnv } from '../../infra/local/worker-service';

/**
 * The drill's own worker: the real worker (worker/main.ts) in a child process on the drill's task
 * queue, so that killing it leaves the local cloud's worker (and a test run's) alone.
 */
export class DrillWorker {
  private child: ChildProcess | undefined;
  private output = '';
  private stopping = false;
  kills = 0;
  starts = 0;
  /** Exits the drill did not cause; each is restarted, as ECS restarts a task that stopped. */
  unexpectedExits: string[] = [];

  constructor(
    private readonly outputs: StackOutputs,
    private readonly taskQueue: string,
  ) {}

  start(): void {
    const env: NodeJS.ProcessEnv = { ...workerEnv(this.outputs), TASK_QUEUE: this.taskQueue, WORKER_METRICS: 'off' };
    delete env.WORKER_LOG_GROUP; // its log stays in memory (tail() on failure), not in the local worker's group
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.child !== child || this.stopping || signal === 'SIGKILL') return;
      this.unexpectedExits.push(`exit ${code ?? signal}: ${this.tail().split('\n').slice(-3).join(' / ')}`);
      setTimeout(() => {
        if (this.child === child && !this.stopping) this.start();
      }, 1000);
    });
    this.child = child;
    this.starts++;
  }

  /** SIGKILL, as the OOM killer or a lost host would: no shutdown, nothing reported to Temporal. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.kills++;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    await exited;
    clearTimeout(timer);
  }

  tail(): string {
    return this.output.split('\n').slice(-15).join('\n');
  }
}

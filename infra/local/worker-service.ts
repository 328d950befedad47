import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { localAwsEnv, temporalAddress, temporalNamespace, temporalUiUrl, workerLogGroup } from './config';
import type { StackOutputs } from './deploy';
import { repoRoot, runDir, stateRoot } from './paths';
import { ensureLocalSigningKey, hasSignerConfig } from '../../runtime/audit/signing';
import { runningPid, startService, stopService, waitUntil } from './processes';

const SERVICE = 'worker';

export function workerPid(): number | undefined {
  return runningPid(SERVICE);
}

/** Whether some worker polls the task queue for workflow tasks: the real sign a worker is serving it. */
export async function hasWorkflowPollers(taskQueue: string): Promise<boolean> {
  const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 2000 });
  try {
    const res = await connection.workflowService.describeTaskQueue({
      namespace: temporalNamespace,
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (res.pollers ?? []).length > 0;
  } finally {
    await connection.close();
  }
}

const workerArgs = ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')];

/** The worker's configuration for the local cloud, from the deployed stack's outputs. */
export function workerEnv(outputs: StackOutputs): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...localAwsEnv,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: temporalNamespace,
    TASK_QUEUE: outputs.TaskQueue,
    STEPLESS_FUNCTIONS: outputs.WorkerFunctions,
    CLAIM_CHECK_BUCKET: outputs.DataBucketName,
    WORKER_LOG_GROUP: workerLogGroup,
    S3_FORCE_PATH_STYLE: 'true',
    // Audit log: the stack's table and anchor bucket; the signing key from the environment, else a
    // development key generated once under .local/audit/ (runtime/audit/signing).
    AUDIT_TABLE: outputs.AuditTableName,
    AUDIT_ANCHOR_BUCKET: outputs.AuditAnchorBucketName,
    ...(hasSignerConfig(process.env) ? {} : { AUDIT_SIGNING_KEY_FILE: ensureLocalSigningKey(stateRoot) }),
    // Workflow status change events on the stack's bus (docs/events-out.md), linking to the local Temporal UI.
    STATUS_EVENT_BUS: outputs.StatusEventBusName,
    STATUS_EVENTS_TABLE: outputs.StatusEventsTableName,
    TEMPORAL_UI_URL: temporalUiUrl,
  };
}

/** Runs the worker in the foreground (for development), configured for the local cloud. */
export function runWorkerInForeground(outputs: StackOutputs): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, workerArgs, { cwd: repoRoot, env: workerEnv(outputs), stdio: 'inherit' });
    // Ctrl-C reaches the child through the terminal's process group; SIGTERM is passed on.
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.once('error', reject);
    child.once('close', resolve);
  });
}

/**
 * What the running worker was started from: its code and the stack outputs it was given. A worker
 * is reused only if both are unchanged, so `npm start` after an edit never runs stale workflow code.
 */
function fingerprint(outputs: StackOutputs): string {
  const hash = createHash('sha256').update(JSON.stringify(outputs));
  for (const dir of ['worker', 'workflows', 'domain', 'runtime', 'lambdas']) {
    for (const file of sourceFiles(join(repoRoot, dir))) hash.update(file).update(readFileSync(file));
  }
  return hash.digest('hex');
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
    .sort();
}

const fingerprintFile = join(runDir, 'worker.fingerprint');

/** Starts the worker against the deployed stack, unless ours is already up, polling, and current. */
export async function startWorker(outputs: StackOutputs): Promise<'started' | 'reused'> {
  const current = fingerprint(outputs);
  const recorded = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, 'utf8') : '';
  if (workerPid() !== undefined && recorded === current && (await hasWorkflowPollers(outputs.TaskQueue).catch(() => false))) return 'reused';
  await stopService(SERVICE);
  startService({ name: SERVICE, command: process.execPath, args: workerArgs, cwd: repoRoot, env: workerEnv(outputs) });
  writeFileSync(fingerprintFile, current);
  await waitUntil('the worker polling its task queue', () => hasWorkflowPollers(outputs.TaskQueue), {
    timeoutMs: 90000,
    service: SERVICE,
    intervalMs: 1000,
  });
  return 'started';
}

export async function stopWorker(): Promise<boolean> {
  return stopService(SERVICE, 20000);
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporalAddress, temporalNamespace } from '../../infra/local/config';
import { workerVersioningFromEnv } from '../../worker/config';
import { proceedSignal, VERSIONED_WORKFLOW } from './fixtures/versioning-signal';

const { VersioningBehavior, VersionDrainageStatus, WorkerDeploymentVersionStatus } = temporal.api.enums.v1;

/**
 * Worker Versioning across a deploy, on the local Temporal dev server (docs/versioning.md): a
 * workflow started while v1 is the current version stays pinned to v1 and finishes on v1's code
 * after v2 (incompatible code under the same workflow type) becomes current; new workflows run
 * v2. v1 is shut down only once no workflow is left on it.
 */
describe('Worker Versioning: a running workflow keeps its code path across a deploy', () => {
  const suffix = randomUUID().slice(0, 8);
  const deploymentName = `stepless-versioning-${suffix}`;
  const taskQueue = `versioning-${suffix}`;
  const namespace = temporalNamespace;
  const runningWorkers = new Map<string, { worker: Worker; running: Promise<void> }>();
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  let bundles: Record<'v1' | 'v2', WorkflowBundleWithSourceMap>;

  beforeAll(async () => {
    const [v1, v2] = await Promise.all(
      ['./fixtures/versioning-v1', './fixtures/versioning-v2'].map((path) => bundleWorkflowCode({ workflowsPath: require.resolve(path), logger: quiet })),
    );
    bundles = { v1: v1!, v2: v2! };
    nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    connection = await Connection.connect({ address: temporalAddress });
    client = new Client({ connection, namespace });
  });

  afterAll(async () => {
    for (const { worker } of runningWorkers.values()) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.allSettled([...runningWorkers.values()].map((w) => w.running));
    await nativeConnection?.close();
    await connection?.close();
  });

  /** A worker configured the way worker/main.ts configures one on ECS: from WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID. */
  async function startWorker(buildId: 'v1' | 'v2'): Promise<void> {
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowBundle: bundles[buildId],
      ...workerVersioningFromEnv({ WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: buildId }),
      // No sticky cache: every workflow task goes through the server's routing, so the code path a
      // workflow takes is decided by its pinned version, not by which worker happens to hold it in memory.
      maxCachedWorkflows: 0,
    });
    runningWorkers.set(buildId, { worker, running: worker.run() });
  }

  /** What `temporal worker deployment set-current-version` does; the version exists once one of its workers has polled. */
  async function setCurrentVersion(buildId: string): Promise<void> {
    await until(`${deploymentName}:${buildId} to become the current version`, async () => {
      await connection.workflowService.setWorkerDeploymentCurrentVersion({ namespace, deploymentName, buildId, identity: 'worker-versioning.test' });
      return true;
    });
  }

  async function describeVersion(buildId: string) {
    const { workerDeploymentVersionInfo } = await connection.workflowService.describeWorkerDeploymentVersion({
      namespace,
      deploymentVersion: { deploymentName, buildId },
    });
    return workerDeploymentVersionInfo!;
  }

  async function versioningInfo(handle: WorkflowHandle) {
    const { raw } = await handle.describe();
    return raw.workflowExecutionInfo?.versioningInfo ?? undefined;
  }

  /** Pinning is recorded when the first workflow task completes; until then the run has no version. */
  async function startPinned(buildId: string): Promise<WorkflowHandle> {
    const handle = await client.workflow.start(VERSIONED_WORKFLOW, { taskQueue, workflowId: `versioning-${buildId}-${suffix}`, workflowExecutionTimeout: '2 minutes' });
    await until(`${handle.workflowId} to run its first task on ${buildId}`, async () => (await versioningInfo(handle))?.deploymentVersion?.buildId === buildId);
    return handle;
  }

  const openOnVersion = async (buildId: string) =>
    (await client.workflow.count(`TemporalWorkerDeploymentVersion = '${deploymentName}:${buildId}' AND ExecutionStatus = 'Running'`)).count;

  it('pins the running workflow to v1 while new workflows run v2, and drains v1 before it is shut down', async () => {
    // Deploy 1: workers of v1 poll, v1 becomes current, a long-running workflow starts on it.
    await startWorker('v1');
    await setCurrentVersion('v1');
    const first = await startPinned('v1');

    // Deploy 2: v2 workers poll next to v1 (different code, same workflow type), v2 becomes current.
    await startWorker('v2');
    await setCurrentVersion('v2');
    const second = await startPinned('v2');

    // v1 stopped taking new workflows but still has one open: DRAINING, not DRAINED.
    const v1WhileOpen = await describeVersion('v1');
    expect(v1WhileOpen.status).toBe(WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING);
    expect(v1WhileOpen.drainageInfo?.status).toBe(VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINING);
    expect((await describeVersion('v2')).status).toBe(WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT);
    await until('visibility to list the open workflow on v1', async () => (await openOnVersion('v1')) === 1);

    // Both continue after the deploy: each on the code of the version it started on.
    await Promise.all([first.signal(proceedSignal), second.signal(proceedSignal)]);
    await expect(first.result()).resolves.toBe('v1 path');
    await expect(second.result()).resolves.toBe('v2 path');

    const firstInfo = await versioningInfo(first);
    expect(firstInfo?.behavior).toBe(VersioningBehavior.VERSIONING_BEHAVIOR_PINNED);
    expect(firstInfo?.deploymentVersion).toMatchObject({ deploymentName, buildId: 'v1' });
    expect((await versioningInfo(second))?.deploymentVersion).toMatchObject({ deploymentName, buildId: 'v2' });

    // Pinning was needed: v1's history does not replay on v2's code.
    const history = await first.fetchHistory();
    await expect(Worker.runReplayHistory({ workflowBundle: bundles.v1 }, history, first.workflowId)).resolves.toBeUndefined();
    await expect(Worker.runReplayHistory({ workflowBundle: bundles.v2 }, history, first.workflowId)).rejects.toBeInstanceOf(DeterminismViolationError);

    // Drained: no open workflow is left on v1 (the visibility query the server's drainage check runs),
    // so its workers can go. The server itself reports DRAINED only after its periodic refresh.
    await until('no open workflow on v1', async () => (await openOnVersion('v1')) === 0);
    const v1 = runningWorkers.get('v1')!;
    v1.worker.shutdown();
    await v1.running;
    const drainage = (await describeVersion('v1')).drainageInfo;
    console.log(
      `[worker-versioning] ${deploymentName}:v1 shut down with 0 open workflows; server drainage status ${VersionDrainageStatus[drainage?.status ?? 0]}` +
        ` (refreshed every matching.wv.VersionDrainageStatusRefreshInterval, default 3 minutes)`,
    );
    expect([VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINING, VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINED]).toContain(drainage?.status);
  }, 90_000);
});

/** Retries `check` until it returns true; on timeout, the error names what was awaited and the last failure. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'not yet';
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await sleep(250);
  }
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * Time-skipping Temporal test environments for workflow tests with long timers (24 h approvals, 7-day waits).
 *
 * Usage:
 *   const env = await createTimeSkippingEnv();
 *   const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath });
 *   const result = await worker.runUntil(env.client.workflow.execute(myWorkflow, { taskQueue, workflowId }));
 *   await env.teardown();
 *
 * Awaiting a workflow result through `env.client` lets the server skip over timers; `env.sleep(duration)` skips
 * time by hand and `env.currentTimeMs()` reads the server's clock. Time skipping is global to one environment, so
 * do not run workflows of unrelated tests concurrently in the same environment.
 */
import { TestWorkflowEnvironment, type TimeSkippingTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { ensureTemporalTestServer } from '../../infra/local/temporal-test-server';

/** How often to start the server again when it misses the SDK's fixed 5-second start-up deadline. */
const START_ATTEMPTS = 3;

export type TimeSkippingEnvOptions = Omit<TimeSkippingTestWorkflowEnvironmentOptions, 'server'> & {
  /**
   * Extra flags for the test server, after the port the SDK passes. The server knows one:
   * `--enable-time-skipping` (skip time from the start, not only while a client awaits a workflow result).
   */
  serverArgs?: string[];
  /** Run this test server executable instead of the one provisioned from Maven Central. */
  executablePath?: string;
};

/**
 * Starts Temporal's Java time-skipping test server (provisioned from Maven Central on first use, see
 * `infra/local/temporal-test-server.ts`) on a free port and connects to it.
 *
 * The SDK gives the server process 5 s to answer gRPC and has no setting for that; a JVM on a loaded machine
 * can occasionally miss it, so a start-up timeout is retried (each try starts a fresh process).
 */
export async function createTimeSkippingEnv(options: TimeSkippingEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const { serverArgs, executablePath, ...rest } = options;
  const path = executablePath ?? (await ensureTemporalTestServer());
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        ...rest,
        server: {
          executable: { type: 'existing-path', path },
          ...(serverArgs ? { extraArgs: serverArgs } : {}),
        },
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= START_ATTEMPTS || !/did not start within/i.test(message)) throw err;
      process.stderr.write(
        `[stepless] Temporal test server missed the SDK's start-up deadline; retrying (${attempt}/${START_ATTEMPTS - 1})\n`,
      );
    }
  }
}

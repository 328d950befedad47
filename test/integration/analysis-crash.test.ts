import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { readStackOutputs } from '../../infra/local/deploy';
import { repoRoot } from '../../infra/local/paths';
import { workerEnv } from '../../infra/local/worker-service';
import { uploadSnapshot } from '../../scripts/upload-snapshot';
import { progressQuery } from '../../workflows/analysis/messages';
import type { AnalysisInput, AnalysisResult } from '../../workflows/analysis/types';
import { dynamo, s3, stack, temporalClient } from '../support/stack';

/**
 * Crash recovery: the real worker (worker/main.ts, in a child process on its own task queue) is
 * SIGKILLed in the middle of an analysis; a second one takes over, the workflow's history is
 * replayed, and the analysis resumes from the next file. The analyze-file function records every
 * analysis it actually runs in DynamoDB: each file is analysed exactly once.
 */
jest.setTimeout(300_000);

const outputs = () => stack() as unknown as Record<string, string>;
const taskQueue = `analysis-crash-${randomUUID().slice(0, 8)}`;

function startWorker(identity: string): { child: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...workerEnv(readStackOutputs()), TASK_QUEUE: taskQueue, WORKER_IDENTITY: identity };
  delete env.WORKER_LOG_GROUP;
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('analysis: a worker killed mid-analysis', () => {
  it('resumes from the next file on a new worker; no completed file is analysed twice', async () => {
    const snap = await uploadSnapshot({ source: join(__dirname, '..', 'testdata', 'sample-repo'), bucket: outputs().AnalysisSnapshotBucketName!, s3: s3() });
    const analysisId = `crash-${randomUUID()}`;
    const { client, close } = await temporalClient();
    const first = startWorker('doomed');
    let second: ReturnType<typeof startWorker> | undefined;
    try {
      const input: AnalysisInput = { analysisId, snapshot: { prefix: snap.prefix }, budget: 10, parallelism: 1, refactor: false };
      const handle = await client.workflow.start('codebaseAnalysis', { taskQueue, workflowId: `analysis-${analysisId}`, args: [input] });
      let before = 0;
      await waitFor('three files analysed', async () => {
        before = (await handle.query(progressQuery)).files.analysed;
        return before >= 3;
      });
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      console.log(`worker killed after ${before} files analysed`);

      second = startWorker('rescuer');
      const result: AnalysisResult = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.files.analysed).toBe(8);

      const items = (await dynamo().send(new QueryCommand({ TableName: outputs().AnalysisTableName, KeyConditionExpression: 'analysisId = :a', ExpressionAttributeValues: { ':a': analysisId } }))).Items ?? [];
      const analyses = items.filter((i) => i.kind === 'analysis');
      const perFile = new Map<string, number>();
      for (const a of analyses) perFile.set(`${String(a.depth)} ${String(a.path)}`, (perFile.get(`${String(a.depth)} ${String(a.path)}`) ?? 0) + 1);
      // Every cheap-pass file and every deep-pass file analysed exactly once, across both workers.
      expect(perFile.size).toBe(8 + result.files.deep);
      expect([...perFile.values()].every((n) => n === 1)).toBe(true);
      const invocations = items.filter((i) => i.kind === 'invocation');
      console.log(`${analyses.length} analyses, ${invocations.length} invocations (a call in flight at the kill may be retried and answered from the idempotency record)`);
      expect(invocations.length).toBeGreaterThanOrEqual(analyses.length);
      expect(invocations.length).toBeLessThanOrEqual(analyses.length + 2);
    } finally {
      for (const w of [first, second]) if (w && w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await close();
    }
  });
});

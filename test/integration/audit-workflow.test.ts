/**
 * The audit log as workflows use it: the text-stats job through the API records started, the
 * step's digests and completed, checkpointed in the global log, verifiable by the CLI; and the
 * activity stays idempotent when Temporal retries it after an append has already committed.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { localAwsClientConfig, localAwsEnv, temporalAddress } from '../../infra/local/config';
import { repoRoot, stateRoot } from '../../infra/local/paths';
import { canonicalJson } from '../../runtime/audit/canonical-json';
import { AnchorStore, AuditLog, GLOBAL_CHECKPOINT_LOG_ID, verifyLog, type LogPage } from '../../runtime/audit/log';
import { createAuditActivities } from '../../runtime/audit/log/activity';
import { PublicKeyRing, loadOrCreateLocalKey, localSigningKeyFile } from '../../runtime/audit/signing';
import { payloadDataConverter } from '../../runtime/data-converter';
import { createStepActivities } from '../../runtime/lambda/activity';
import { stepsByName } from '../../runtime/steps/declare';
import { FUNCTIONS } from '../../lambdas/catalog';
import { pollJob, startJob } from '../../scripts/client';
import type { textStatsJob } from '../../workflows/text-stats-job';
import { lambda, s3, stack, temporalClient } from '../support/stack';

jest.setTimeout(300_000);

const sha256 = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');
const aws = localAwsClientConfig;
type Event = Record<string, unknown> & { type: string };

describe('text-stats job through the API records its audit trail', () => {
  const text = 'to be or not to be';
  const jobId = `audit-${randomUUID()}`;
  const workflowId = `text-stats-${jobId}`;
  let page: LogPage;

  beforeAll(async () => {
    const accepted = await startJob(stack().ApiUrl, { text, jobId });
    const done = await pollJob(accepted.statusUrl, { timeoutMs: 120000 });
    expect(done.status).toBe('COMPLETED');
    const res = await fetch(`${stack().ApiUrl}audit/${encodeURIComponent(workflowId)}`);
    expect(res.status).toBe(200);
    page = (await res.json()) as LogPage;
  });

  it('holds started, the step with input and output digests, and completed', async () => {
    const events = page.entries.map((e) => e.event as Event);
    expect(events.map((e) => e.type)).toEqual(['workflow.started', 'step.completed', 'workflow.completed']);
    const { client, close } = await temporalClient();
    const result = await client.workflow.getHandle(workflowId).result();
    await close();
    expect(events[0]).toMatchObject({ workflowId, workflowType: 'textStatsJob', jobId, inputSha256: sha256({ jobId, text }) });
    expect(events[1]).toMatchObject({ step: 'textStats', inputSha256: sha256({ jobId, text }), outputSha256: sha256(result) });
    expect(events[2]).toMatchObject({ resultSha256: sha256(result) });
    expect(new Set(events.map((e) => e.idempotencyKey)).size).toBe(3);
  });

  it('checkpoints the final head in the global log', async () => {
    const res = await fetch(`${stack().ApiUrl}audit/${encodeURIComponent(GLOBAL_CHECKPOINT_LOG_ID)}?from=0&limit=1000`);
    const global = (await res.json()) as LogPage;
    const mine = global.entries.map((e) => e.event as Event).filter((e) => e.logId === workflowId);
    expect(mine).toEqual([{ type: 'checkpoint', ...page.signedTreeHead }]);
  });

  it('verifies with `npm run audit -- verify` (exit 0), trusting the local key', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'audit.ts'), 'verify', workflowId, '--json'], {
      cwd: repoRoot,
      env: { ...process.env, ...localAwsEnv, AUDIT_TABLE: '', AUDIT_ANCHOR_BUCKET: '' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const report = JSON.parse(res.stdout) as { ok: boolean; problems: unknown[]; checked: Record<string, number> };
    expect(report.problems).toEqual([]);
    expect(report.checked).toMatchObject({ entries: 3, anchors: 3, checkpoints: 1 });
    expect(res.status).toBe(0);
  });
});

describe('appendAuditEvent under activity retries', () => {
  it('records each event once when every first attempt commits and then fails', async () => {
    // The worker's own (local development) key: this run also checkpoints into the shared global log.
    const { signer } = loadOrCreateLocalKey(localSigningKeyFile(stateRoot));
    const log = new AuditLog({
      dynamo: new DynamoDBClient(aws),
      table: stack().AuditTableName,
      signer,
      anchors: new AnchorStore(new S3Client({ ...aws, forcePathStyle: true }), stack().AuditAnchorBucketName),
    });
    const real = createAuditActivities(log);
    const replies: Array<{ attempt: number; duplicate?: boolean }> = [];
    const taskQueue = `audit-retry-${randomUUID()}`;
    const connection = await NativeConnection.connect({ address: temporalAddress });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: {
        ...createStepActivities({ lambda: lambda(), functions: JSON.parse(stack().WorkerFunctions) as Record<string, string> }, stepsByName(FUNCTIONS).values()),
        // The append commits, then the reply is "lost": Temporal retries the activity.
        async appendAuditEvent(request: Parameters<typeof real.appendAuditEvent>[0]) {
          const result = await real.appendAuditEvent(request);
          const { attempt } = Context.current().info;
          replies.push({ attempt, duplicate: result.duplicate });
          if (attempt === 1) throw new Error('connection reset after commit');
          return result;
        },
      },
      dataConverter: payloadDataConverter({ CLAIM_CHECK_BUCKET: stack().DataBucketName }, { s3: s3() }),
    });
    const { client, close } = await temporalClient();
    const workflowId = `audit-retry-${randomUUID()}`;
    try {
      await worker.runUntil(client.workflow.execute<typeof textStatsJob>('textStatsJob', { taskQueue, workflowId, args: [{ jobId: 'retry', text: 'a b c' }] }));
    } finally {
      await close();
      await connection.close();
    }
    // Each of the three events: a first attempt that wrote, a second that found it written.
    expect(replies.filter((r) => r.attempt === 1).map((r) => r.duplicate)).toEqual([false, false, false]);
    expect(replies.filter((r) => r.attempt === 2).map((r) => r.duplicate)).toEqual([true, true, true]);
    const head = await log.head(workflowId);
    expect(head?.treeSize).toBe(3);
    const report = await verifyLog({ store: log.store, anchors: new AnchorStore(new S3Client({ ...aws, forcePathStyle: true }), stack().AuditAnchorBucketName), keys: await PublicKeyRing.of(signer), logId: workflowId });
    expect(report.problems).toEqual([]);
  });
});

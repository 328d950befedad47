import { randomBytes, randomUUID } from 'node:crypto';
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { localAwsClientConfig } from '../../infra/local/config';
import type { StackOutputs } from '../../infra/local/deploy';
import { stateRoot } from '../../infra/local/paths';
import { canonicalJson, leafHash, toHex } from '../../runtime/audit';
import { auditLogFromEnv } from '../../runtime/audit/log/activity';
import type { AuditLog } from '../../runtime/audit/log/audit-log';
import { entryRecord, toItem } from '../../runtime/audit/log/items';
import { hasSignerConfig, localSigningKeyFile } from '../../runtime/audit/signing';
import { median, row, timed } from './measure';

const EVENTS_PER_ROUND = 40;
const ROUNDS = 5;
/** Appends in flight at once for the group-commit figure (a workflow fanning out that many steps). */
const CONCURRENT = 16;

/** One workflow step's audit event, shaped as the appendAuditEvent activity shapes it. */
function stepEvent(workflowId: string, i: number): { event: Record<string, unknown>; idempotencyKey: string } {
  const idempotencyKey = `${workflowId}/run-1/${i}`;
  return {
    idempotencyKey,
    event: { type: 'step.completed', at: new Date().toISOString(), step: i, outputSha256: randomBytes(32).toString('hex'), workflowId, runId: 'run-1', idempotencyKey },
  };
}

/**
 * Events per second appended to one workflow's log through the real append path (conditional
 * TransactWriteItems of entry, signed tree head, idempotency key and head; the STH anchored in S3),
 * configured as the local worker configures it, against a conditional PutItem of each event's entry
 * item alone into the same table. Sequential appends are what a workflow's steps do one after
 * another; the concurrent figure is a fan-out, where group commit shares one transaction.
 */
export async function benchAuditLog(outputs: StackOutputs): Promise<void> {
  const dynamo = new DynamoDBClient(localAwsClientConfig);
  const s3 = new S3Client({ ...localAwsClientConfig, forcePathStyle: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUDIT_TABLE: outputs.AuditTableName,
    AUDIT_ANCHOR_BUCKET: outputs.AuditAnchorBucketName,
    // The local worker's signer: the environment's, else the development key the launcher generated.
    ...(hasSignerConfig(process.env) ? {} : { AUDIT_SIGNING_KEY_FILE: localSigningKeyFile(stateRoot) }),
  };
  const log = auditLogFromEnv(env, { dynamo, s3 }) as AuditLog;
  const table = outputs.AuditTableName;
  const run = randomUUID();
  const rawKeys: Array<{ logId: string; sk: string }> = [];

  /** The baseline: one conditional PutItem of the entry item an append would write. */
  const putRaw = async (logId: string, index: number, event: Record<string, unknown>, idempotencyKey: string) => {
    const text = canonicalJson(event);
    const record = entryRecord({ logId, index, event: text, leafHash: toHex(leafHash(Buffer.from(text, 'utf8'))), appendedAt: new Date().toISOString(), idempotencyKey });
    await dynamo.send(new PutItemCommand({ TableName: table, Item: toItem(record), ConditionExpression: 'attribute_not_exists(sk)' }));
    rawKeys.push({ logId, sk: record.sk });
  };

  try {
    const ours: number[] = [];
    const raw: number[] = [];
    const oursConcurrent: number[] = [];
    const rawConcurrent: number[] = [];
    const workflowId = `bench/audit/${run}`;
    const rawLogId = `bench/audit-raw/${run}`;
    let next = 0;
    let rawNext = 0;
    // Warm-up, untimed: key publication, the log's first head, connections.
    for (let i = 0; i < 3; i++) {
      const { event, idempotencyKey } = stepEvent(workflowId, next++);
      await log.append(workflowId, event, { idempotencyKey });
      await putRaw(rawLogId, rawNext++, event, idempotencyKey);
    }
    for (let r = 0; r < ROUNDS; r++) {
      const sequentialOurs = () =>
        timed(async () => {
          for (let i = 0; i < EVENTS_PER_ROUND; i++) {
            const { event, idempotencyKey } = stepEvent(workflowId, next++);
            await log.append(workflowId, event, { idempotencyKey });
          }
        });
      const sequentialRaw = () =>
        timed(async () => {
          for (let i = 0; i < EVENTS_PER_ROUND; i++) {
            const { event, idempotencyKey } = stepEvent(workflowId, rawNext);
            await putRaw(rawLogId, rawNext++, event, idempotencyKey);
          }
        });
      const concurrentOurs = () =>
        timed(() =>
          inFlight(EVENTS_PER_ROUND, CONCURRENT, async () => {
            const { event, idempotencyKey } = stepEvent(workflowId, next++);
            await log.append(workflowId, event, { idempotencyKey });
          }),
        );
      const concurrentRaw = () =>
        timed(() =>
          inFlight(EVENTS_PER_ROUND, CONCURRENT, async () => {
            const index = rawNext++;
            const { event, idempotencyKey } = stepEvent(workflowId, index);
            await putRaw(rawLogId, index, event, idempotencyKey);
          }),
        );
      // Alternate which side goes first, so neither always runs on a table the other just warmed or loaded.
      if (r % 2 === 0) {
        ours.push(await sequentialOurs());
        raw.push(await sequentialRaw());
        oursConcurrent.push(await concurrentOurs());
        rawConcurrent.push(await concurrentRaw());
      } else {
        raw.push(await sequentialRaw());
        ours.push(await sequentialOurs());
        rawConcurrent.push(await concurrentRaw());
        oursConcurrent.push(await concurrentOurs());
      }
    }
    const perSec = (ms: number) => (EVENTS_PER_ROUND / ms) * 1000;
    const perEvent = (ms: number) => ms / EVENTS_PER_ROUND;
    row('audit append, one log, sequential vs PutItem', `${perSec(median(ours)).toFixed(0)}/s`, `${perSec(median(raw)).toFixed(0)}/s`, perSec(median(ours)) / perSec(median(raw)));
    row(`audit append, one log, ${CONCURRENT} in flight vs PutItem`, `${perSec(median(oursConcurrent)).toFixed(0)}/s`, `${perSec(median(rawConcurrent)).toFixed(0)}/s`, perSec(median(oursConcurrent)) / perSec(median(rawConcurrent)));
    row('audit event, time per workflow step (ms)', `${perEvent(median(ours)).toFixed(1)} ms`, `${perEvent(median(raw)).toFixed(1)} ms`, perEvent(median(ours)) / perEvent(median(raw)));
    console.log(`  (an audited step waits ${(perEvent(median(ours)) - perEvent(median(raw))).toFixed(1)} ms more per event than for a bare conditional PutItem; log ${workflowId}, ${log.stats.transactions} transactions for ${log.stats.appends} appends)`);
  } finally {
    // The baseline's items are not an audit log: remove them. The bench's log stays, whole and verifiable.
    for (let i = 0; i < rawKeys.length; i += 25) {
      const batch = rawKeys.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { logId: { S: k.logId }, sk: { S: k.sk } } } }));
      await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
    }
    dynamo.destroy();
    s3.destroy();
  }
}

/** Runs `job` `count` times with at most `limit` runs in flight. */
async function inFlight(count: number, limit: number, job: () => Promise<void>): Promise<void> {
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++;
      await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

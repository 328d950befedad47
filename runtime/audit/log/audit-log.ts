/**
 * Appending to an audit log in DynamoDB, safely under any number of concurrent appenders.
 *
 * An append of m entries at once (group commit, below) is one TransactWriteItems, all puts
 * conditional, where n and r are the head the appender read:
 *
 *   entry `e#<n+i>`            if attribute_not_exists(sk)        (no slot is written twice)
 *   STH `s#<n+i+1>`            if attribute_not_exists(sk)        (one signed head per size)
 *   idempotency key `k#<h>`    if attribute_not_exists(sk)        (only for appends with a key)
 *   head `head`                if treeSize = n AND rootHash = r   (or attribute_not_exists(sk) for n = 0)
 *
 * DynamoDB applies all of them or none, so the head only moves from n to n+m together with
 * entries n..n+m-1: no fork (two entries at one index) and no gap (an entry without its
 * predecessors) can arise, whatever the interleaving. A loser sees its transaction cancelled,
 * takes the winner's head (returned with the cancellation: ReturnValuesOnConditionCheckFailure),
 * backs off with jitter and tries again at the new size. The head carries the CompactTree peaks,
 * so new roots cost O(log n) hashes and no entry is read.
 *
 * Group commit: appends to one log from one AuditLog instance queue up while a transaction is in
 * flight, and the next transaction takes up to MAX_BATCH of them, each still getting its own index
 * and its own signed tree head. Under contention that turns many lost races into one commit.
 *
 * After the commit each STH is written to the S3 anchor bucket. If that fails the append throws;
 * retrying with the same idempotency key finds the committed entry and anchors it then.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, PutItemCommand, TransactWriteItemsCommand, TransactionCanceledException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { canonicalJson } from '../canonical-json';
import { CompactTree } from '../compact-tree';
import { leafHash } from '../hashing';
import { toHex } from '../hex';
import type { Signer } from '../signing/signer';
import { AnchorStore } from './anchors';
import { checkpointSk, entryRecord, fromItem, headRecord, keyRecord, keySk, sthRecord, toItem, type Item } from './items';
import { signTreeHead } from './sth';
import { AuditLogCorruptError, AuditLogStore, parseHead } from './store';
import { GLOBAL_CHECKPOINT_LOG_ID, type AppendResult, type LogHead, type SignedTreeHead } from './types';

/** Events are small facts (ids, hashes, statuses), not payloads: hash big data and log the hash. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** Appends per transaction: 3 items each plus the head stay within DynamoDB's 100 items (and 4 MB). */
export const MAX_BATCH = 25;

/** The same idempotency key was used for a different event. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
}

/** The append did not get through within its attempts (sustained contention or throttling). */
export class AppendContentionError extends Error {
  override readonly name = 'AppendContentionError';
}

export interface AuditLogOptions {
  dynamo: DynamoDBClient;
  table: string;
  signer: Signer;
  /** Where signed tree heads are anchored; none: no anchoring (tests of the table alone). */
  anchors?: AnchorStore;
  /** Milliseconds since the epoch; default Date.now. */
  clock?: () => number;
  /** Attempts per transaction before AppendContentionError; default 100. */
  maxAttempts?: number;
  /** Backoff after a lost race: full jitter in [0, min(cap, base·2^attempt)]; default base 5 ms, cap 250 ms. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Appends per transaction, 1..MAX_BATCH; default MAX_BATCH. 1 turns group commit off. */
  maxBatch?: number;
}

export interface AppendOptions {
  /**
   * Makes the append idempotent: a second append with the same key (and the same event) adds
   * nothing and returns the first one's index. Different events under one key are refused.
   */
  idempotencyKey?: string;
}

export interface AppendStats {
  appends: number;
  duplicates: number;
  /** Transactions cancelled because another appender got there first. */
  conflicts: number;
  /** Transactions committed (fewer than appends when group commit batched them). */
  transactions: number;
}

interface Pending {
  text: string;
  leaf: string;
  idempotencyKey?: string;
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

export class AuditLog {
  readonly store: AuditLogStore;
  readonly stats: AppendStats = { appends: 0, duplicates: 0, conflicts: 0, transactions: 0 };
  private readonly clock: () => number;
  /** Per log: appends waiting for the transaction in flight to finish. */
  private readonly queues = new Map<string, Pending[]>();
  /** Per log: the head as this instance last saw it, to skip a read; a stale one just costs one conflict. */
  private readonly heads = new Map<string, LogHead>();
  private published?: Promise<void>;

  constructor(private readonly options: AuditLogOptions) {
    this.store = new AuditLogStore(options.dynamo, options.table);
    this.clock = options.clock ?? Date.now;
  }

  get signer(): Signer {
    return this.options.signer;
  }

  get anchors(): AnchorStore | undefined {
    return this.options.anchors;
  }

  /**
   * Appends `event` (any JSON value; stored and hashed as RFC 8785 canonical JSON) to `logId`
   * and returns its index and the signed tree head that includes it.
   */
  async append(logId: string, event: unknown, options: AppendOptions = {}): Promise<AppendResult> {
    if (typeof logId !== 'string' || logId === '' || logId.length > 512) throw new Error('logId must be a string of 1-512 characters');
    const text = canonicalJson(event, { rootName: 'event' });
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > MAX_EVENT_BYTES) {
      throw new Error(`event is ${bytes.length} bytes of canonical JSON, over the ${MAX_EVENT_BYTES}-byte limit: record a hash of large data, not the data`);
    }
    const leaf = toHex(leafHash(bytes));
    await this.publishKeyOnce();
    const result = await new Promise<AppendResult>((resolve, reject) => {
      const queue = this.queues.get(logId);
      const pending: Pending = { text, leaf, resolve, reject, ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}) };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(logId, [pending]);
      void this.drain(logId);
    });
    const anchors = this.options.anchors;
    if (anchors) {
      if (!result.duplicate) await anchors.put(result.signedTreeHead);
      else if (!(await anchors.exists(logId, result.signedTreeHead.treeSize))) await anchors.put(result.signedTreeHead);
    }
    return result;
  }

  /**
   * Records `sth` (a head of another log) in the global checkpoint log, and notes in that log
   * where it went (`c#<size>`), so a verifier can find it. Idempotent per (log, size).
   */
  async checkpoint(sth: SignedTreeHead): Promise<AppendResult> {
    if (sth.logId === GLOBAL_CHECKPOINT_LOG_ID) throw new Error('the global checkpoint log is not checkpointed into itself');
    const result = await this.append(GLOBAL_CHECKPOINT_LOG_ID, checkpointEvent(sth), { idempotencyKey: `checkpoint:${sth.logId}:${sth.treeSize}` });
    await this.options.dynamo.send(
      new PutItemCommand({
        TableName: this.options.table,
        Item: toItem({ logId: sth.logId, sk: checkpointSk(sth.treeSize), kind: 'checkpoint', globalLogId: GLOBAL_CHECKPOINT_LOG_ID, globalIndex: result.index, leafHash: result.leafHash }),
      }),
    );
    return result;
  }

  /** The current head (consistent read), or undefined for an empty/unknown log. */
  head(logId: string): Promise<LogHead | undefined> {
    return this.store.getHead(logId);
  }

  private publishKeyOnce(): Promise<void> {
    const anchors = this.options.anchors;
    if (!anchors) return Promise.resolve();
    this.published ??= (async () => anchors.publishKey(await this.signer.keyId(), await this.signer.publicKeyPem()))();
    this.published.catch(() => (this.published = undefined));
    return this.published;
  }

  /** Commits the log's queue in batches until it is empty; one drain per log at a time. */
  private async drain(logId: string): Promise<void> {
    const queue = this.queues.get(logId) as Pending[];
    const max = Math.max(1, Math.min(MAX_BATCH, this.options.maxBatch ?? MAX_BATCH));
    while (queue.length > 0) {
      // One transaction may not touch an item twice: a repeated key waits for the next batch (where it is a duplicate).
      const batch: Pending[] = [];
      const keys = new Set<string>();
      for (let i = 0; i < queue.length && batch.length < max; ) {
        const p = queue[i] as Pending;
        if (p.idempotencyKey !== undefined && keys.has(p.idempotencyKey)) {
          i++;
          continue;
        }
        if (p.idempotencyKey !== undefined) keys.add(p.idempotencyKey);
        batch.push(p);
        queue.splice(i, 1);
      }
      try {
        await this.commit(logId, batch);
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.queues.delete(logId);
  }

  /** Commits `batch` (resolving each as it is settled), retrying lost races. */
  private async commit(logId: string, batch: Pending[]): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 100;
    let head = this.heads.get(logId) ?? (await this.store.getHead(logId));
    let open = batch;
    for (let attempt = 0; attempt < maxAttempts && open.length > 0; attempt++) {
      const tree = head ? CompactTree.fromState({ size: head.treeSize, peaks: head.peaks }) : CompactTree.empty();
      const base = tree.size;
      // Timestamps never go backwards along a log, even if this appender's clock is behind.
      const timestamp = Math.max(Math.floor(this.clock()), head?.signedTreeHead.timestamp ?? 0);
      const now = new Date(this.clock()).toISOString();
      const planned = open.map((p) => {
        tree.append(Buffer.from(p.leaf, 'hex'));
        return { p, index: tree.size - 1, rootHash: toHex(tree.root()), peaks: tree.state().peaks };
      });
      const sths = await Promise.all(planned.map((x) => signTreeHead(this.signer, { logId, treeSize: x.index + 1, rootHash: x.rootHash, timestamp })));
      const { items, owners } = this.transaction(logId, head, planned, sths, now);
      try {
        await this.options.dynamo.send(new TransactWriteItemsCommand({ TransactItems: items }));
        const last = planned[planned.length - 1] as (typeof planned)[number];
        this.heads.set(logId, { logId, treeSize: last.index + 1, rootHash: last.rootHash, peaks: last.peaks, signedTreeHead: sths[sths.length - 1] as SignedTreeHead });
        this.stats.transactions++;
        this.stats.appends += planned.length;
        planned.forEach((x, i) => x.p.resolve({ logId, index: x.index, leafHash: x.p.leaf, signedTreeHead: sths[i] as SignedTreeHead, duplicate: false }));
        return;
      } catch (err) {
        if (!(err instanceof TransactionCanceledException)) throw err;
        const reasons = err.CancellationReasons ?? [];
        const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
        // Appends whose idempotency key is taken are settled as duplicates and leave the batch.
        const duplicates = new Map<Pending, Item | undefined>();
        owners.forEach((o, i) => {
          if (o.kind === 'key' && o.p && failed(i)) duplicates.set(o.p, reasons[i]?.Item);
        });
        for (const [p, item] of duplicates) {
          try {
            p.resolve(await this.duplicate(logId, p, item));
          } catch (dupErr) {
            p.reject(dupErr);
          }
        }
        open = open.filter((p) => !duplicates.has(p));
        const headIndex = owners.findIndex((o) => o.kind === 'head');
        if (failed(headIndex)) {
          this.stats.conflicts++;
          const item = reasons[headIndex]?.Item;
          head = item ? parseHead(fromItem(item), logId) : await this.store.getHead(logId);
          if (head) this.heads.set(logId, head);
          else this.heads.delete(logId);
        } else if (owners.some((o, i) => (o.kind === 'entry' || o.kind === 'sth') && failed(i))) {
          // The head says n but an entry or STH beyond it exists: only an edit of the table does that.
          throw new AuditLogCorruptError(`log ${JSON.stringify(logId)}: the head says size ${base} but entries or STHs beyond it already exist; run the verifier`);
        } else if (reasons.some((r) => r.Code === 'TransactionConflict')) {
          // Another transaction was touching the same items; nothing to re-read, just retry.
          this.stats.conflicts++;
        } else if (duplicates.size === 0) {
          throw err;
        }
        if (duplicates.size === 0 || failed(headIndex)) await sleep(this.backoff(attempt));
      }
    }
    if (open.length > 0) throw new AppendContentionError(`append to ${JSON.stringify(logId)} did not commit after ${maxAttempts} attempts (contention)`);
  }

  private transaction(
    logId: string,
    head: LogHead | undefined,
    planned: Array<{ p: Pending; index: number; peaks: string[] }>,
    sths: SignedTreeHead[],
    now: string,
  ): { items: TransactWriteItem[]; owners: Array<{ kind: 'entry' | 'sth' | 'key' | 'head'; p?: Pending }> } {
    const TableName = this.options.table;
    const notExists = 'attribute_not_exists(sk)';
    const items: TransactWriteItem[] = [];
    const owners: Array<{ kind: 'entry' | 'sth' | 'key' | 'head'; p?: Pending }> = [];
    planned.forEach(({ p, index, peaks }, i) => {
      const sth = sths[i] as SignedTreeHead;
      items.push({
        Put: {
          TableName,
          Item: toItem(entryRecord({ logId, index, event: p.text, leafHash: p.leaf, appendedAt: now, idempotencyKey: p.idempotencyKey })),
          ConditionExpression: notExists,
        },
      });
      owners.push({ kind: 'entry', p });
      items.push({ Put: { TableName, Item: toItem(sthRecord(sth, peaks)), ConditionExpression: notExists } });
      owners.push({ kind: 'sth', p });
      if (p.idempotencyKey !== undefined) {
        items.push({
          Put: {
            TableName,
            Item: toItem(keyRecord({ logId, idempotencyKey: p.idempotencyKey, index, leafHash: p.leaf })),
            ConditionExpression: notExists,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        });
        owners.push({ kind: 'key', p });
      }
    });
    const last = planned[planned.length - 1] as (typeof planned)[number];
    items.push({
      Put: {
        TableName,
        Item: toItem(headRecord(sths[sths.length - 1] as SignedTreeHead, last.peaks, now)),
        ...(head
          ? { ConditionExpression: 'treeSize = :n AND rootHash = :r', ExpressionAttributeValues: { ':n': { N: String(head.treeSize) }, ':r': { S: head.rootHash } } }
          : { ConditionExpression: notExists }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
    owners.push({ kind: 'head' });
    return { items, owners };
  }

  private async duplicate(logId: string, p: Pending, item: Item | undefined): Promise<AppendResult> {
    const key = p.idempotencyKey as string;
    const record = item ? fromItem(item) : await this.store.getItem(logId, keySk(key));
    if (!record || typeof record.index !== 'number' || typeof record.leafHash !== 'string') {
      throw new AuditLogCorruptError(`log ${JSON.stringify(logId)}: idempotency key ${JSON.stringify(key)} is recorded without its index`);
    }
    if (record.leafHash !== p.leaf) {
      throw new IdempotencyConflictError(
        `log ${JSON.stringify(logId)}: idempotency key ${JSON.stringify(key)} was used for a different event (entry ${record.index}, leaf ${record.leafHash})`,
      );
    }
    const stored = await this.store.getSth(logId, record.index + 1);
    if (!stored) throw new AuditLogCorruptError(`log ${JSON.stringify(logId)}: no STH for size ${record.index + 1}`);
    this.stats.duplicates++;
    return { logId, index: record.index, leafHash: p.leaf, signedTreeHead: stored.sth, duplicate: true };
  }

  private backoff(attempt: number): number {
    const base = this.options.backoffBaseMs ?? 5;
    const cap = this.options.backoffCapMs ?? 250;
    return Math.random() * Math.min(cap, base * 2 ** Math.min(attempt, 16));
  }
}

/** The event the global log records for a checkpoint of another log: the whole signed head. */
export function checkpointEvent(sth: SignedTreeHead): { type: 'checkpoint' } & SignedTreeHead {
  return { type: 'checkpoint', ...sth };
}

/** Reading a log's items from DynamoDB (the writer is audit-log.ts). */
import { DynamoDBClient, GetItemCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { HEAD_SK, entrySk, fromItem, numberOfSk, sthSk, text, type Item, type Plain } from './items';
import type { AuditEntry, LogHead, SignedTreeHead } from './types';

/** A stored item was not what the writer writes: someone edited the table, or it is not an audit table. */
export class AuditLogCorruptError extends Error {
  override readonly name = 'AuditLogCorruptError';
}

type Obj = { [key: string]: Plain };

const str = (o: Obj, k: string, what: string): string => {
  const v = o[k];
  if (typeof v !== 'string') throw new AuditLogCorruptError(`${what}: ${k} is ${v === undefined ? 'missing' : typeof v}, want a string`);
  return v;
};
const num = (o: Obj, k: string, what: string): number => {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new AuditLogCorruptError(`${what}: ${k} is ${JSON.stringify(v) ?? 'missing'}, want an integer`);
  return v;
};

/** Reads a SignedTreeHead out of a plain object (an STH item, the head's `sth` map, an anchor). */
export function parseSth(o: Plain | undefined, what: string): SignedTreeHead {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new AuditLogCorruptError(`${what}: not a signed tree head object`);
  return {
    logId: str(o, 'logId', what),
    treeSize: num(o, 'treeSize', what),
    rootHash: str(o, 'rootHash', what),
    timestamp: num(o, 'timestamp', what),
    algorithm: str(o, 'algorithm', what) as SignedTreeHead['algorithm'],
    keyId: str(o, 'keyId', what),
    signature: str(o, 'signature', what),
  };
}

const peaksOf = (o: Obj, what: string): string[] => {
  const p = o.peaks;
  if (!Array.isArray(p) || !p.every((x) => typeof x === 'string')) throw new AuditLogCorruptError(`${what}: peaks must be a list of hex strings`);
  return p;
};

export function parseHead(o: Obj, logId: string): LogHead {
  const what = `head of log ${JSON.stringify(logId)}`;
  return {
    logId,
    treeSize: num(o, 'treeSize', what),
    rootHash: str(o, 'rootHash', what),
    peaks: peaksOf(o, what),
    signedTreeHead: parseSth(o.sth, `${what}, sth`),
  };
}

export function parseEntry(o: Obj, what: string): AuditEntry {
  const key = o.idempotencyKey;
  return {
    index: num(o, 'index', what),
    leafHash: str(o, 'leafHash', what),
    event: str(o, 'event', what),
    appendedAt: str(o, 'appendedAt', what),
    ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
  };
}

/** An STH item: the signed head plus the CompactTree peaks at that size (unsigned, checkable against the root). */
export interface StoredSth {
  sth: SignedTreeHead;
  peaks?: string[];
}

export function parseStoredSth(o: Obj, what: string): StoredSth {
  const peaks = Array.isArray(o.peaks) && o.peaks.every((x) => typeof x === 'string') ? o.peaks : undefined;
  return { sth: parseSth(o, what), ...(peaks ? { peaks } : {}) };
}

export class AuditLogStore {
  constructor(
    readonly dynamo: DynamoDBClient,
    readonly table: string,
  ) {}

  /** The head, or undefined for a log that has no entries (or does not exist). */
  async getHead(logId: string, consistent = true): Promise<LogHead | undefined> {
    const res = await this.dynamo.send(new GetItemCommand({ TableName: this.table, Key: this.key(logId, HEAD_SK), ConsistentRead: consistent }));
    return res.Item ? parseHead(fromItem(res.Item), logId) : undefined;
  }

  async getItem(logId: string, sk: string, consistent = true): Promise<Obj | undefined> {
    const res = await this.dynamo.send(new GetItemCommand({ TableName: this.table, Key: this.key(logId, sk), ConsistentRead: consistent }));
    return res.Item ? fromItem(res.Item) : undefined;
  }

  /** The stored STH for `size`, if any. */
  async getSth(logId: string, size: number): Promise<StoredSth | undefined> {
    const o = await this.getItem(logId, sthSk(size));
    return o ? parseStoredSth(o, `STH of ${JSON.stringify(logId)} at size ${size}`) : undefined;
  }

  /** Entries with from <= index < to, in index order, as stored (no gap filling). */
  async getEntries(logId: string, from: number, to: number): Promise<AuditEntry[]> {
    if (to <= from) return [];
    const items = await this.query({
      KeyConditionExpression: 'logId = :l AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':l': { S: logId }, ':a': { S: entrySk(from) }, ':b': { S: entrySk(to - 1) } },
    });
    return items.map((o) => parseEntry(o, `entry ${text(o.sk)} of ${JSON.stringify(logId)}`));
  }

  /** Only the leaf hashes of entries 0..to-1 (a projection: events are not read). */
  async getLeafHashes(logId: string, to: number): Promise<Array<{ index: number; leafHash: string }>> {
    if (to <= 0) return [];
    const items = await this.query({
      KeyConditionExpression: 'logId = :l AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':l': { S: logId }, ':a': { S: entrySk(0) }, ':b': { S: entrySk(to - 1) } },
      ProjectionExpression: 'sk, leafHash',
    });
    return items.map((o) => ({ index: numberOfSk(text(o.sk), 'e#') ?? -1, leafHash: text(o.leafHash) }));
  }

  /** Every item of the log, raw (the verifier's view). */
  async getAllItems(logId: string): Promise<Obj[]> {
    return this.query({ KeyConditionExpression: 'logId = :l', ExpressionAttributeValues: { ':l': { S: logId } } });
  }

  /** STH items with from <= size <= to. */
  async getSths(logId: string, from: number, to: number): Promise<StoredSth[]> {
    const items = await this.query({
      KeyConditionExpression: 'logId = :l AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':l': { S: logId }, ':a': { S: sthSk(from) }, ':b': { S: sthSk(to) } },
    });
    return items.map((o) => parseStoredSth(o, `STH ${text(o.sk)} of ${JSON.stringify(logId)}`));
  }

  private key(logId: string, sk: string): Item {
    return { logId: { S: logId }, sk: { S: sk } };
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<Obj[]> {
    const out: Obj[] = [];
    let start: Item | undefined;
    do {
      const res = await this.dynamo.send(new QueryCommand({ TableName: this.table, ConsistentRead: true, ...input, ExclusiveStartKey: start }));
      for (const item of res.Items ?? []) out.push(fromItem(item));
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isClaimCheckRef, type ClaimCheckRef } from '../claim-check/ref';
import type { ClaimCheckStore } from '../claim-check/store';

/**
 * Idempotency records in DynamoDB: one item per key (partition key `key`, TTL attribute
 * `expiresAt`, epoch seconds). A key is first claimed with an in-progress marker that carries a
 * lease, by a conditional put (`attribute_not_exists`), then completed with the result. The
 * result is stored as JSON text, or, above `inlineResultLimitBytes` (DynamoDB items stop at
 * 400 KB), in the claim-check bucket with only its reference in the item.
 */

export interface IdempotencyRecord {
  key: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  /** Who holds the lease: the invocation's request id. */
  owner: string;
  /** Epoch ms after which an in-progress marker no longer blocks (its holder is presumed dead). */
  leaseExpiresAt?: number;
  /** TTL, epoch seconds: DynamoDB deletes the item some time after; reads treat it as gone at once. */
  expiresAt: number;
  /** The result as JSON text, when small enough. */
  result?: string;
  /** The result in S3, when large. */
  resultRef?: ClaimCheckRef;
  /** Completed, but the result was too large to keep and there is no claim-check bucket. */
  resultOmitted?: boolean;
  completedAt?: string;
}

export type BeginOutcome =
  | { state: 'acquired' }
  | { state: 'completed'; record: IdempotencyRecord }
  | { state: 'in-progress'; record: IdempotencyRecord };

export interface IdempotencyStoreOptions {
  dynamo: DynamoDBDocumentClient;
  tableName: string;
  /** Where large results go; without it they are not kept (a retry then fails with IdempotentResultUnavailable). */
  claimChecks?: ClaimCheckStore;
  /** How long a completed record is kept. Default 7 days (longer than any sensible retry policy). */
  ttlSeconds?: number;
  /** Results up to this size are stored in the item. Default 300 000 bytes. */
  inlineResultLimitBytes?: number;
  now?: () => number;
}

export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;
const DEFAULT_INLINE_RESULT_LIMIT_BYTES = 300_000;

const isConditionFailure = (err: unknown) =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export class IdempotencyStore {
  private readonly now: () => number;

  constructor(private readonly options: IdempotencyStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  private expiry(): number {
    return Math.floor(this.now() / 1000) + (this.options.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS);
  }

  /**
   * Claims the key for `owner` for `leaseMs`, unless it is completed (its record is returned) or
   * another owner's lease is still running. A record past its TTL counts as absent.
   */
  async begin(key: string, owner: string, leaseMs: number, tries = 3): Promise<BeginOutcome> {
    const now = this.now();
    const item: IdempotencyRecord = { key, status: 'IN_PROGRESS', owner, leaseExpiresAt: now + leaseMs, expiresAt: this.expiry() };
    try {
      await this.options.dynamo.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#key) OR #expiresAt < :nowSeconds OR (#status = :inProgress AND #lease < :now)',
          ExpressionAttributeNames: { '#key': 'key', '#expiresAt': 'expiresAt', '#status': 'status', '#lease': 'leaseExpiresAt' },
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000), ':inProgress': 'IN_PROGRESS', ':now': now },
        }),
      );
      return { state: 'acquired' };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.get(key);
      // Released or expired in between: try again.
      if (existing === undefined && tries > 1) return this.begin(key, owner, leaseMs, tries - 1);
      if (existing === undefined) throw new Error(`idempotency key ${key}: could not claim it nor read it`);
      return existing.status === 'COMPLETED' ? { state: 'completed', record: existing } : { state: 'in-progress', record: existing };
    }
  }

  /**
   * Records the result under the key, if `owner` still holds it. Returns false if the lease was
   * lost (it expired and another invocation took the key): that one's record stands.
   */
  async complete(key: string, owner: string, result: unknown): Promise<boolean> {
    const json = JSON.stringify(result) ?? 'null';
    const bytes = Buffer.byteLength(json);
    let stored: Record<string, unknown>;
    if (bytes <= (this.options.inlineResultLimitBytes ?? DEFAULT_INLINE_RESULT_LIMIT_BYTES)) stored = { result: json };
    else if (this.options.claimChecks) stored = { resultRef: await this.options.claimChecks.put(Buffer.from(json)) };
    else stored = { resultOmitted: true };
    const names: Record<string, string> = { '#status': 'status', '#owner': 'owner', '#lease': 'leaseExpiresAt', '#expiresAt': 'expiresAt', '#completedAt': 'completedAt' };
    const values: Record<string, unknown> = { ':completed': 'COMPLETED', ':owner': owner, ':expiresAt': this.expiry(), ':completedAt': new Date(this.now()).toISOString() };
    const sets = ['#status = :completed', '#expiresAt = :expiresAt', '#completedAt = :completedAt'];
    for (const [name, value] of Object.entries(stored)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    try {
      await this.options.dynamo.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { key },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE #lease`,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Gives the key up after a failure, so that a retry runs again; only if `owner` still holds it. */
  async release(key: string, owner: string): Promise<void> {
    try {
      await this.options.dynamo.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: { key },
          ConditionExpression: '#owner = :owner AND #status = :inProgress',
          ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
          ExpressionAttributeValues: { ':owner': owner, ':inProgress': 'IN_PROGRESS' },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const res = await this.options.dynamo.send(new GetCommand({ TableName: this.options.tableName, Key: { key }, ConsistentRead: true }));
    const item = res.Item as IdempotencyRecord | undefined;
    if (item === undefined || item.expiresAt < Math.floor(this.now() / 1000)) return undefined;
    return item;
  }

  /** The result a completed record holds; `undefined` only if the record says it was omitted. */
  async resultOf(record: IdempotencyRecord): Promise<{ value: unknown } | undefined> {
    if (typeof record.result === 'string') return { value: JSON.parse(record.result) as unknown };
    if (record.resultRef !== undefined && isClaimCheckRef(record.resultRef)) {
      if (!this.options.claimChecks) throw new Error(`idempotency record ${record.key} keeps its result in S3, but no claim-check store is configured (CLAIM_CHECK_BUCKET)`);
      return { value: JSON.parse(Buffer.from(await this.options.claimChecks.get(record.resultRef)).toString('utf8')) as unknown };
    }
    return undefined;
  }
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The publisher's lease and cursor: one DynamoDB item per namespace and task queue, so that of the
 * several workers running at once exactly one publishes at a time (two at once would only send
 * duplicates, which the contract allows, but would double the cost). The lease is taken and kept
 * with conditional writes; the cursor is written only by the holder, so it never moves back
 * because of a publisher that lost the lease.
 */
export interface LeaseState {
  /** Where the holder's next window starts (runtime/status-events/cursor.ts); absent until the first publish. */
  cursorMs?: number;
}

export interface PublisherLeaseOptions {
  dynamo: DynamoDBDocumentClient;
  table: string;
  /** Item key: what this lease covers (`status-publisher#<namespace>#<taskQueue>`). */
  key: string;
  /** This publisher's identity (host, pid, a random part). */
  owner: string;
  /** How long a holder that stops renewing keeps the lease. */
  leaseMs: number;
}

export class PublisherLease {
  constructor(private readonly options: PublisherLeaseOptions) {}

  /**
   * Takes the lease if nobody holds it, it has expired, or it is already ours, and returns the
   * cursor; undefined while another publisher holds it. A read first, so that waiting publishers
   * cost one read per poll rather than a refused write.
   */
  async acquire(nowMs: number): Promise<LeaseState | undefined> {
    const { dynamo, table, key, owner, leaseMs } = this.options;
    const current = (await dynamo.send(new GetCommand({ TableName: table, Key: { key }, ConsistentRead: true }))).Item;
    if (current && current.owner !== owner && Number(current.leaseUntil) >= nowMs) return undefined;
    try {
      const updated = await dynamo.send(new UpdateCommand({
        TableName: table,
        Key: { key },
        UpdateExpression: 'SET #owner = :me, leaseUntil = :until',
        ConditionExpression: 'attribute_not_exists(#key) OR #owner = :me OR leaseUntil < :now',
        ExpressionAttributeNames: { '#key': 'key', '#owner': 'owner' },
        ExpressionAttributeValues: { ':me': owner, ':until': nowMs + leaseMs, ':now': nowMs },
        ReturnValues: 'ALL_NEW',
      }));
      const cursor: unknown = updated.Attributes?.cursorMs;
      return typeof cursor === 'number' ? { cursorMs: cursor } : {};
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  /** Stores the cursor and renews the lease; false if the lease is no longer ours (then stop publishing). */
  advance(cursorMs: number, nowMs: number): Promise<boolean> {
    return this.updateIfOwner('SET cursorMs = :cursor, leaseUntil = :until', { ':cursor': cursorMs, ':until': nowMs + this.options.leaseMs });
  }

  /** Gives the lease up (on shutdown), so another worker takes over at its next poll rather than after the lease runs out. */
  async release(): Promise<void> {
    await this.updateIfOwner('SET leaseUntil = :zero', { ':zero': 0 });
  }

  /** An update made only while this publisher holds the lease; false when it does not. */
  private async updateIfOwner(updateExpression: string, values: Record<string, unknown>): Promise<boolean> {
    const { dynamo, table, key, owner } = this.options;
    try {
      await dynamo.send(new UpdateCommand({
        TableName: table,
        Key: { key },
        UpdateExpression: updateExpression,
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':me': owner, ...values },
      }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}

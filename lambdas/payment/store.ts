import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nonRetryable } from '../../runtime/lambda/errors';
import { cardOutcome } from './cards';
import type { ChargeInput, ChargeResult, RefundResult } from './steps';

/**
 * Payments in one DynamoDB table, one item per order (partition key `orderId`): the order id is the
 * idempotency key of its charge. A charge is written with `attribute_not_exists(orderId)`, so two
 * attempts (a retry after a timeout, a duplicate delivery) can never both charge; the loser reads
 * the winner's charge and returns it. A refund flips CHARGED to REFUNDED conditionally, once.
 *
 *   status CHARGED   charged; refundable
 *   status REFUNDED  charged, then refunded (refundId, refundedAt)
 *   status DECLINED  the card was declined; nothing was charged
 *   status VOIDED    refunded before any charge arrived: a late charge for the order is refused
 */
export interface PaymentItem {
  orderId: string;
  status: 'CHARGED' | 'REFUNDED' | 'DECLINED' | 'VOIDED';
  chargeId?: string;
  amountCents?: number;
  currency?: string;
  cardLast4?: string;
  chargedAt?: string;
  declineCode?: string;
  declinedAt?: string;
  refundId?: string;
  refundedAt?: string;
  refundReason?: string;
}

function namedError(name: string, message: string, retryable = false): Error {
  const error = new Error(message);
  error.name = name;
  return retryable ? error : nonRetryable(error);
}

const isConditionFailure = (err: unknown) => (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export class PaymentStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<PaymentItem | undefined> {
    const res = await this.dynamo.send(new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }));
    return res.Item as PaymentItem | undefined;
  }

  /** `attempt` is the Temporal attempt of the step (1 = first), for the flaky-provider test card. */
  async charge(req: ChargeInput, attempt: number): Promise<ChargeResult> {
    if (!Number.isInteger(req.amountCents) || req.amountCents < 1) throw namedError('InvalidPaymentRequest', 'amountCents must be a positive integer');
    if (typeof req.currency !== 'string' || !/^[A-Z]{3}$/.test(req.currency)) throw namedError('InvalidPaymentRequest', 'currency must be an ISO 4217 code such as EUR');
    const number = String(req.card?.number ?? '').replace(/[\s-]/g, '');
    for (let round = 0; round < 3; round++) {
      const existing = await this.get(req.orderId);
      if (existing) return this.answerExisting(existing, req);

      const outcome = cardOutcome(number);
      if (outcome.kind === 'invalid') throw namedError('InvalidCard', outcome.message);
      if (outcome.kind === 'unavailable-first-attempt' && attempt <= 1) {
        throw namedError('PaymentProviderUnavailable', 'the payment provider timed out (test card 4000000000000119 fails the first attempt); retry', true);
      }
      const now = new Date().toISOString();
      const item: PaymentItem =
        outcome.kind === 'decline'
          ? { orderId: req.orderId, status: 'DECLINED', amountCents: req.amountCents, currency: req.currency, cardLast4: number.slice(-4), declineCode: outcome.code, declinedAt: now }
          : { orderId: req.orderId, status: 'CHARGED', chargeId: `ch_${randomUUID().replace(/-/g, '')}`, amountCents: req.amountCents, currency: req.currency, cardLast4: number.slice(-4), chargedAt: now };
      try {
        await this.dynamo.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(orderId)' }));
      } catch (err) {
        if (isConditionFailure(err)) continue; // another attempt won the race: answer with its record
        throw err;
      }
      if (outcome.kind === 'decline') throw namedError('PaymentDeclined', `${outcome.message} (${outcome.code})`);
      return { orderId: req.orderId, chargeId: item.chargeId!, amountCents: req.amountCents, currency: req.currency, cardLast4: item.cardLast4!, chargedAt: now, duplicate: false };
    }
    throw namedError('PaymentBusy', `order ${req.orderId}: the payment record kept changing; retry`, true);
  }

  private answerExisting(existing: PaymentItem, req: ChargeInput): ChargeResult {
    if (existing.status === 'VOIDED') throw namedError('ChargeConflict', `order ${req.orderId} was voided (refunded before it was charged); it cannot be charged`);
    if (existing.status === 'DECLINED') throw namedError('PaymentDeclined', `the card was declined (${existing.declineCode ?? 'card_declined'})`);
    if (existing.amountCents !== req.amountCents || existing.currency !== req.currency) {
      throw namedError('ChargeConflict', `order ${req.orderId} was already charged ${existing.amountCents} ${existing.currency}; refusing a different amount ${req.amountCents} ${req.currency}`);
    }
    if (existing.status === 'REFUNDED') throw namedError('ChargeConflict', `order ${req.orderId} was charged and then refunded; it cannot be charged again`);
    return {
      orderId: req.orderId,
      chargeId: existing.chargeId!,
      amountCents: existing.amountCents,
      currency: existing.currency,
      cardLast4: existing.cardLast4 ?? '',
      chargedAt: existing.chargedAt ?? '',
      duplicate: true,
    };
  }

  async refund(orderId: string, reason?: string): Promise<RefundResult> {
    const refundId = `re_${randomUUID().replace(/-/g, '')}`;
    try {
      const res = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression: 'SET #status = :refunded, refundId = :refundId, refundedAt = :now, refundReason = :reason',
          ConditionExpression: '#status = :charged',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':refunded': 'REFUNDED', ':charged': 'CHARGED', ':refundId': refundId, ':now': new Date().toISOString(), ':reason': reason ?? 'order compensated' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = res.Attributes as PaymentItem;
      return { orderId, outcome: 'REFUNDED', refundId, ...(item.amountCents !== undefined ? { amountCents: item.amountCents } : {}) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const existing = await this.get(orderId);
    if (existing?.status === 'REFUNDED') return { orderId, outcome: 'ALREADY_REFUNDED', ...(existing.refundId ? { refundId: existing.refundId } : {}), ...(existing.amountCents !== undefined ? { amountCents: existing.amountCents } : {}) };
    if (existing === undefined) {
      // A tombstone, so that a charge arriving after its refund (a late retry) is refused.
      try {
        await this.dynamo.send(new PutCommand({ TableName: this.tableName, Item: { orderId, status: 'VOIDED', refundedAt: new Date().toISOString() } satisfies PaymentItem, ConditionExpression: 'attribute_not_exists(orderId)' }));
        return { orderId, outcome: 'NO_CHARGE' };
      } catch (err) {
        if (isConditionFailure(err)) return this.refund(orderId, reason); // charged meanwhile: refund that
        throw err;
      }
    }
    if (existing.status === 'CHARGED') return this.refund(orderId, reason);
    return { orderId, outcome: 'NO_CHARGE' };
  }
}

import { startOrderSchema, approvalSchema } from '../../../api/specs/orders';
import { cardOutcome, luhnValid, TEST_CARDS } from '../../../lambdas/payment/cards';
import { newTrackingNumber, validateAddress } from '../../../lambdas/shipping/store';
import { normaliseLines } from '../../../lambdas/inventory/store';
import { formatCents, totalCentsOf } from '../../../workflows/orders/types';

describe('order rules', () => {
  it('computes totals in integer cents', () => {
    expect(totalCentsOf([{ sku: 'a', quantity: 3, unitPrice: 0.1 }, { sku: 'b', quantity: 1, unitPrice: 19.99 }])).toBe(2029);
    expect(formatCents(2029)).toBe('20.29');
    expect(formatCents(600000)).toBe('6000.00');
  });

  it('decides test cards like a provider test mode', () => {
    expect(luhnValid(TEST_CARDS.success)).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(cardOutcome(TEST_CARDS.success)).toEqual({ kind: 'approve' });
    expect(cardOutcome(TEST_CARDS.declined)).toMatchObject({ kind: 'decline', code: 'card_declined' });
    expect(cardOutcome(TEST_CARDS.insufficientFunds)).toMatchObject({ kind: 'decline', code: 'insufficient_funds' });
    expect(cardOutcome(TEST_CARDS.flakyProvider)).toEqual({ kind: 'unavailable-first-attempt' });
    expect(cardOutcome('1234')).toMatchObject({ kind: 'invalid' });
  });

  it('refuses undeliverable addresses and makes check-digited tracking numbers', () => {
    const address = { name: 'A', line1: '1 Main St', city: 'X', postalCode: '1', country: 'US' };
    expect(validateAddress(address)).toEqual({ deliverable: true });
    expect(validateAddress({ ...address, line2: 'c/o UNDELIVERABLE' }).deliverable).toBe(false);
    expect(validateAddress({ ...address, country: 'AQ' }).reason).toContain('AQ');
    const tn = newTrackingNumber();
    expect(tn).toMatch(/^SP\d{11}$/);
    const digits = tn.slice(2, 12);
    const sum = [...digits].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
    expect((sum + Number(tn[12])) % 10).toBe(0);
  });

  it('merges repeated SKUs (a DynamoDB transaction touches an item once) and validates lines', () => {
    expect(normaliseLines([{ sku: 'a', quantity: 1 }, { sku: 'b', quantity: 2 }, { sku: 'a', quantity: 3 }])).toEqual([{ sku: 'a', quantity: 4 }, { sku: 'b', quantity: 2 }]);
    expect(() => normaliseLines([])).toThrow('non-empty');
    expect(() => normaliseLines([{ sku: 'a', quantity: 0 }])).toThrow('positive integer');
  });

  it('the API schema accepts a valid order and names each invalid field', () => {
    const valid = { customer: { name: 'Ada', email: 'ada@example.com' }, items: [{ sku: 'w', quantity: 1, unitPrice: 9.99 }], payment: { cardNumber: TEST_CARDS.success }, shippingAddress: { name: 'Ada', line1: '1 Main', city: 'X', postalCode: '1', country: 'GB' }, approvalTimeout: '2 hours' };
    expect(startOrderSchema.safeParse(valid).success).toBe(true);
    const bad = startOrderSchema.safeParse({ ...valid, items: [{ sku: 'w', quantity: 1.5, unitPrice: -1 }], deliveryWindow: 'later', approvalThreshold: -5 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['approvalThreshold', 'deliveryWindow', 'items.0.quantity', 'items.0.unitPrice']);
    expect(approvalSchema.safeParse({ approved: 'yes', approvedBy: '' }).error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['approved', 'approvedBy']);
  });
});

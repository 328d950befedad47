/**
 * Test cards, in the manner of a payment provider's test mode: the outcome is chosen by the card
 * number, so every path of the order saga can be driven deterministically.
 */
export const TEST_CARDS = {
  /** Always succeeds. */
  success: '4242424242424242',
  /** Always declined: card_declined. */
  declined: '4000000000000002',
  /** Always declined: insufficient_funds. */
  insufficientFunds: '4000000000009995',
  /** The provider fails the first attempt of each charge with a retryable outage, then succeeds. */
  flakyProvider: '4000000000000119',
} as const;

export type CardOutcome =
  | { kind: 'approve' }
  | { kind: 'decline'; code: 'card_declined' | 'insufficient_funds'; message: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'unavailable-first-attempt' };

/** Luhn checksum, as every card number carries. */
export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** What the (simulated) card network answers for a card. Any other valid number is approved. */
export function cardOutcome(number: string): CardOutcome {
  const digits = number.replace(/[\s-]/g, '');
  if (!luhnValid(digits)) return { kind: 'invalid', message: 'the card number is not a valid card number (length or checksum)' };
  if (digits === TEST_CARDS.declined) return { kind: 'decline', code: 'card_declined', message: 'the card was declined' };
  if (digits === TEST_CARDS.insufficientFunds) return { kind: 'decline', code: 'insufficient_funds', message: 'the card has insufficient funds' };
  if (digits === TEST_CARDS.flakyProvider) return { kind: 'unavailable-first-attempt' };
  return { kind: 'approve' };
}

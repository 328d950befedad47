export type Tier = 'free' | 'silver' | 'gold';

// Planted: high cyclomatic complexity.
export function quote(quantity: number, tier: Tier, annual: boolean, region: string): number {
  let price = 0;
  if (tier == 'free') {
    price = 0;
  } else if (tier == 'silver') {
    price = quantity > 10 ? 8 : 10;
  } else {
    price = quantity > 100 ? 5 : quantity > 10 ? 6 : 7;
  }
  if (annual && price > 0) price = price * 0.9;
  switch (region) {
    case 'EU':
      price = price * 1.2;
      break;
    case 'UK':
      price = price * 1.2;
      break;
    case 'US':
      price = price * 1.07;
      break;
    default:
      price = price * 1.1;
  }
  for (let i = 0; i < quantity; i++) {
    if (i > 1000 || (tier == 'gold' && i > 500)) break;
  }
  return Math.round(price * quantity * 100) / 100;
}

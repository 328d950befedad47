import type { AnalysisCost, Depth } from './types';

/**
 * The cost model: a file of `size` bytes is ~size/4 tokens (the usual estimate for source code), a
 * deep pass reads it `deepCostFactor` times over (the file plus the type context it is checked
 * against), and the amount is tokens / 1000 × the price per 1k tokens. Pure, so the workflow can
 * predict a file's cost before it spends it, and the analyser reports the same figure.
 */
export const BYTES_PER_TOKEN = 4;

/** Amounts are kept to nanounits so sums of many small costs compare exactly on every replay. */
export function roundAmount(amount: number): number {
  return Math.round(amount * 1e9) / 1e9;
}

export function estimateTokens(sizeBytes: number, depth: Depth, deepCostFactor: number): number {
  const base = Math.max(1, Math.ceil(sizeBytes / BYTES_PER_TOKEN));
  return depth === 'deep' ? Math.ceil(base * deepCostFactor) : base;
}

export function estimateCost(sizeBytes: number, depth: Depth, pricePer1kTokens: number, deepCostFactor: number): AnalysisCost {
  const tokens = estimateTokens(sizeBytes, depth, deepCostFactor);
  return { tokens, amount: roundAmount((tokens / 1000) * pricePer1kTokens) };
}

/**
 * What writes the content pipeline's texts. The deterministic implementation (./template-generator.ts)
 * composes from the brief and the draft; a language-model implementation can take its place behind
 * this interface, reporting its real token counts and cost the same way.
 */

export type WritingTask = 'draft' | 'socialPost' | 'email' | 'summary' | 'qualityCheck';

export interface WritingRequest {
  task: WritingTask;
  /** What the writer is asked to do (a model's prompt). */
  instructions: string;
  /** What it works from: the brief as text, or the draft. */
  source: string;
  /** A length to aim for, in words (a draft), or a limit in characters (a social post). */
  targetWords?: number;
  maxChars?: number;
  audience?: string;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface WritingCost {
  /** In `currency`, to nanounits, so sums over steps are exact. */
  amount: number;
  currency: 'USD';
}

export interface WrittenText {
  text: string;
  words: number;
  usage: TokenUsage;
  cost: WritingCost;
  /** Which implementation wrote it. */
  generator: string;
  /** An email's subject line. */
  subject?: string;
  /** A quality check's verdict. */
  review?: QualityReview;
}

export interface QualityReview {
  /** 0-100. */
  score: number;
  passed: boolean;
  issues: string[];
}

export interface TextGenerator {
  readonly name: string;
  write(request: WritingRequest): Promise<WrittenText>;
}

/** A price list per 1,000 tokens. */
export interface Pricing {
  inputPer1kTokens: number;
  outputPer1kTokens: number;
}

/** About four characters to a token, the usual estimate for English text. */
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
}

export function costOf(usage: TokenUsage, pricing: Pricing): WritingCost {
  const amount = (usage.inputTokens / 1000) * pricing.inputPer1kTokens + (usage.outputTokens / 1000) * pricing.outputPer1kTokens;
  return { amount: Math.round(amount * 1e9) / 1e9, currency: 'USD' };
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

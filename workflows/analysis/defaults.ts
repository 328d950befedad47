import { fieldProblem, nonNegativeNumber, nonEmptyString, positiveInteger, positiveNumber, withDefaults } from '../lib/input';
import type { AnalysisInput } from './types';

/** Defaults of every tunable; docs/workflows/analysis.md lists them. */
export const ANALYSIS_DEFAULTS = {
  pricePer1kTokens: 0.01,
  deepCostFactor: 4,
  complexityThreshold: 10,
  deepThreshold: 8,
  parallelism: 4,
  entryPoints: ['src/index.ts', 'index.ts', 'src/main.ts', 'main.ts'],
  batchSize: 3,
  budgetApprovalTimeoutSeconds: 24 * 3600,
  planApprovalTimeoutSeconds: 7 * 24 * 3600,
  requirePlanApproval: false,
  refactor: true,
  budgetGate: true,
};

/** An analysis with its defaults filled in. */
export const settleAnalysis = (input: AnalysisInput) => withDefaults(input, ANALYSIS_DEFAULTS);

export type SettledAnalysis = ReturnType<typeof settleAnalysis>;

/** Why an analysis's input cannot be run (the API's schema checks the same, with a 400), or undefined. */
export function analysisInputProblem(input: AnalysisInput): string | undefined {
  if (!input || typeof input !== 'object') return 'the analysis input must be an object';
  if (typeof input.snapshot?.prefix !== 'string') return 'snapshot.prefix is required';
  if (input.budget === undefined) return 'budget is required';
  return fieldProblem(input, {
    analysisId: nonEmptyString,
    // Not negative (rather than positive): a specialist's share of a tiny budget may round to 0.
    budget: nonNegativeNumber,
    pricePer1kTokens: positiveNumber,
    deepCostFactor: positiveNumber,
    complexityThreshold: positiveInteger,
    deepThreshold: nonNegativeNumber,
    parallelism: positiveInteger,
    batchSize: positiveInteger,
    budgetApprovalTimeoutSeconds: positiveNumber,
    planApprovalTimeoutSeconds: positiveNumber,
  });
}

import type { AnalysisCost, Category, Depth, FileFindings, FileRef } from '../shared/analysis/types';

export interface AnalyzeFileInput {
  analysisId: string;
  snapshot: { bucket: string; prefix: string };
  file: FileRef;
  depth: Depth;
  categories?: Category[];
  pricePer1kTokens: number;
  deepCostFactor: number;
  complexityThreshold: number;
}

export type AnalyzeFileResult = FileFindings & { cost: AnalysisCost; analyzer: string };

import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';
import type { AnalysisCost, FileFindings } from '../../domain/analysis/types';
import { fileRef, snapshotLocation } from '../snapshot-manifest/steps';

/**
 * The analyze-file function: one snapshot file analysed with the TypeScript compiler API. Its step,
 * input, output and errors are declared here.
 */

const analyzeFileInput = z.object({
  analysisId: z.string(),
  snapshot: snapshotLocation,
  file: fileRef,
  depth: z.enum(['cheap', 'deep']),
  categories: z.array(z.enum(['security', 'performance', 'architecture'])).optional(),
  pricePer1kTokens: z.number(),
  deepCostFactor: z.number(),
  complexityThreshold: z.number(),
});
export type AnalyzeFileInput = z.infer<typeof analyzeFileInput>;

export type AnalyzeFileResult = FileFindings & { cost: AnalysisCost; analyzer: string };

export const analyzeFile = declareFunction({
  name: 'analyzeFile',
  description: 'Analyses one snapshot file with the TypeScript compiler API',
  folder: 'analyze-file',
  memoryMb: 1024,
  timeoutSeconds: 60,
  buckets: [{ bucket: 'snapshots', env: 'SNAPSHOT_BUCKET', read: [''], list: [''], versions: true }],
  tables: [{ table: 'analysis', env: 'ANALYSIS_TABLE', access: ['dynamodb:PutItem'] }],
  claimChecks: true,
  idempotency: true,
  typescriptLibs: true,
  steps: {
    analyze: defineStep({
      name: 'analyzeFile',
      description: "Reports a file's findings, complexity, exports, imports and cost; idempotent per workflow run, depth and path",
      input: analyzeFileInput,
      output: returns<AnalyzeFileResult>(),
      errors: {
        SnapshotNotFound: 'nonRetryable',
        SnapshotIntegrityError: 'nonRetryable',
        // The deep pass's type checker found no lib.*.d.ts in the bundle: a deployment fault no retry fixes.
        MissingLibFiles: 'nonRetryable',
        // A retry while the first call still runs: it waits with the call site's backoff.
        IdempotencyInProgress: 'retryable',
        IdempotentResultUnavailable: 'nonRetryable',
        IdempotencyNotConfigured: 'nonRetryable',
      },
    }),
  },
});

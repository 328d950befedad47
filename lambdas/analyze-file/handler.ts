import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { withIdempotency } from '../../runtime/idempotency';
import { functionHandler } from '../../runtime/steps/handler';
import { resolveImport } from '../../domain/analysis/graph';
import { mapLimit, readManifest, readSnapshotFile, type SnapshotLocation } from '../shared/analysis/snapshot';
import { StaticAnalyzer } from '../shared/analysis/static-analyzer';
import { ANALYSABLE_FILE, type Analyzer, type FileRef } from '../../domain/analysis/types';
import { dynamo, requireEnv, s3 } from '../shared/aws';
import { analyzeFile, type AnalyzeFileInput, type AnalyzeFileResult } from './steps';

/**
 * Analyses one file of a snapshot with the static analyser (TypeScript compiler API) and reports
 * its findings, complexity, exports/imports and cost.
 *
 * Each call is recorded in the analysis table (`invocation#…`), and each analysis actually run
 * (`analysis#<path>#<depth>#…`): the idempotency wrapper (keyed by workflow run, path and depth)
 * makes a retried step, e.g. after a worker died mid-call, return the recorded result instead of
 * analysing the file again. Tests count these records.
 */
const TTL_SECONDS = 7 * 24 * 3600;

async function record(analysisId: string, sk: string, fields: Record<string, unknown>): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: requireEnv('ANALYSIS_TABLE'), Item: { analysisId, sk, ...fields, at: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + TTL_SECONDS } }));
}

/** The snapshot files a file imports (relative imports), as type context for the deep pass. */
async function importContext(location: SnapshotLocation, file: FileRef, text: string): Promise<Record<string, string>> {
  const manifest = await readManifest(s3, location);
  const byPath = new Map(manifest.files.filter((f) => ANALYSABLE_FILE.test(f.path)).map((f) => [f.path, f]));
  const paths = new Set(byPath.keys());
  const specifiers = [...text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1] ?? m[2]!);
  const targets = [...new Set(specifiers.map((s) => resolveImport(file.path, s, paths)).filter((p): p is string => p !== undefined && p !== file.path))];
  const texts = await mapLimit(targets, 8, (p) => readSnapshotFile(s3, location, byPath.get(p)!));
  return Object.fromEntries(targets.map((p, i) => [p, texts[i]!]));
}

const analyse = withIdempotency<AnalyzeFileInput, AnalyzeFileResult, unknown>(
  { keyOf: (input, meta) => `${meta.workflowId}/${meta.runId}/analyze/${input.depth}/${input.file.path}` },
  async (input, meta, context) => {
    const requestId = (context as { awsRequestId?: string }).awsRequestId ?? 'local';
    const text = await readSnapshotFile(s3, input.snapshot, input.file);
    const analyzer: Analyzer = new StaticAnalyzer(input.depth === 'deep' ? { context: await importContext(input.snapshot, input.file, text) } : {});
    const result = await analyzer.analyze({
      file: input.file,
      text,
      depth: input.depth,
      ...(input.categories ? { categories: input.categories } : {}),
      pricePer1kTokens: input.pricePer1kTokens,
      deepCostFactor: input.deepCostFactor,
      complexityThreshold: input.complexityThreshold,
    });
    await record(input.analysisId, `analysis#${input.file.path}#${input.depth}#${requestId}`, {
      kind: 'analysis',
      path: input.file.path,
      depth: input.depth,
      workflowId: meta.workflowId,
      findings: result.findings.length,
      cost: result.cost.amount,
    });
    return { ...result, analyzer: analyzer.name };
  },
);

export const handler = functionHandler(analyzeFile, {
  async analyze(input, { meta, lambda, log }) {
    await record(input.analysisId, `invocation#${lambda.awsRequestId}`, { kind: 'invocation', path: input.file.path, depth: input.depth, attempt: meta.attempt, workflowId: meta.workflowId });
    const started = Date.now();
    const result = await analyse(input, meta, lambda);
    log.info('file analysed', { path: input.file.path, depth: input.depth, findings: result.findings.length, score: result.score, cost: result.cost.amount, ms: Date.now() - started });
    return result;
  },
});

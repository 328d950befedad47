import type { UnusedExport } from './graph';
import type { Finding, Severity, TransformId } from './types';

/**
 * The refactoring plan derived from the findings: the automatic fixes grouped into batches (one
 * transformation each, at most `batchSize` files), and the findings no transformation fixes,
 * listed for a person. Pure, so the workflow derives it deterministically.
 */
export interface PlanBatch {
  id: string;
  transform: TransformId;
  files: Array<{ path: string; names?: string[] }>;
  /** How many findings the batch should fix. */
  fixes: number;
}

export interface ManualItem {
  rule: Finding['rule'];
  severity: Severity;
  file: string;
  line: number;
  message: string;
}

export interface RefactorPlan {
  batches: PlanBatch[];
  manual: ManualItem[];
  summary: string;
}

/** The order batches run in: the safest transformations first. */
const ORDER: readonly TransformId[] = ['strict-equality', 'unexport-unused', 'any-to-unknown'];
const RULE_TRANSFORM: Partial<Record<Finding['rule'], TransformId>> = {
  'loose-equality': 'strict-equality',
  'explicit-any': 'any-to-unknown',
  'unused-export': 'unexport-unused',
};

export function deriveRefactorPlan(findings: readonly Finding[], unused: readonly UnusedExport[], batchSize: number): RefactorPlan {
  const byTransform = new Map<TransformId, Map<string, number>>();
  const manual: ManualItem[] = [];
  for (const f of findings) {
    const t = RULE_TRANSFORM[f.rule];
    if (!t) {
      manual.push({ rule: f.rule, severity: f.severity, file: f.file, line: f.line, message: f.message });
      continue;
    }
    if (t === 'unexport-unused') continue; // from `unused`, which carries the names
    const files = byTransform.get(t) ?? new Map<string, number>();
    files.set(f.file, (files.get(f.file) ?? 0) + 1);
    byTransform.set(t, files);
  }
  const unusedByFile = new Map<string, string[]>();
  for (const u of unused) unusedByFile.set(u.file, [...(unusedByFile.get(u.file) ?? []), u.name]);

  const batches: PlanBatch[] = [];
  for (const transform of ORDER) {
    const entries: Array<{ path: string; names?: string[]; fixes: number }> =
      transform === 'unexport-unused'
        ? [...unusedByFile.entries()].map(([path, names]) => ({ path, names, fixes: names.length }))
        : [...(byTransform.get(transform)?.entries() ?? [])].map(([path, fixes]) => ({ path, fixes }));
    entries.sort((a, b) => a.path.localeCompare(b.path));
    for (let i = 0; i < entries.length; i += batchSize) {
      const chunk = entries.slice(i, i + batchSize);
      batches.push({
        id: `${transform}-${i / batchSize + 1}`,
        transform,
        files: chunk.map(({ path, names }) => (names ? { path, names } : { path })),
        fixes: chunk.reduce((s, e) => s + e.fixes, 0),
      });
    }
  }
  const rank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
  manual.sort((a, b) => rank[a.severity] - rank[b.severity] || a.file.localeCompare(b.file) || a.line - b.line);
  const fixes = batches.reduce((s, b) => s + b.fixes, 0);
  return {
    batches,
    manual,
    summary: `${batches.length} batch(es) fixing ${fixes} finding(s) automatically; ${manual.length} finding(s) need a person`,
  };
}

import { log, patched, workflowInfo } from '@temporalio/workflow';
import { estimateCost, roundAmount } from '../../domain/analysis/cost';
import type { AnalyzeFileResult } from '../../lambdas/analyze-file/steps';
import type { FileRef } from '../../domain/analysis/types';
import { snapshotManifest } from './steps';
import { invalidInput } from '../lib/invalid-input';
import { analysisInputProblem } from './defaults';
import { AnalysisRun, countBySeverity, unusedExportFindings, unusedExportsOf } from './run';
import type { AnalysisInput, AnalysisResult, Finding } from './types';

/**
 * Analyses a repository snapshot file by file in Lambda, within a budget, then refactors it.
 *
 * 1. Manifest: the snapshot's source files (snapshotManifest).
 * 2. Cheap pass over every file (analyzeFile, `parallelism` at a time). Before a file would push
 *    the cost over the budget, the run pauses for a budget decision (Update `decideBudget` / signal
 *    `budgetDecision`): an approved new budget is enforced from then on; a refusal (or no answer
 *    within the timeout) ends the analysis with the results so far, flagged stopped-by-budget.
 * 3. Adaptive deep pass: only files whose cheap-pass score reaches `deepThreshold`; when the
 *    remaining budget cannot cover them all, the highest-scoring files that fit (sampling). Each
 *    switch of strategy is recorded with its reason in the audit log.
 * 4. Unused exports from the whole snapshot's import graph.
 * 5. A refactoring plan from the findings; with requirePlanApproval it waits for a decision
 *    (Update `decidePlan` / signal `planDecision`). Batches are applied, type-checked, and rolled
 *    back to the files' previous versions when they add type errors.
 *
 * Crash recovery is Temporal's: a worker that dies mid-analysis is replaced, the history replays,
 * and completed files are not analysed again (analyzeFile is also idempotent per run and path).
 */
export async function codebaseAnalysis(input: AnalysisInput): Promise<AnalysisResult> {
  const run = new AnalysisRun(input, { budgetDecisions: input.budgetGate !== false });
  checkInput(input);
  try {
    return await analyse(run, input);
  } catch (err) {
    return run.onError(err);
  }
}

/**
 * Analyses started before the workflow checked its own input (the API always did) replay without the check.
 * Also used by multi-agent.ts.
 */
export const ANALYSIS_INPUT_RULES_PATCH = 'analysis-input-rules';

/** InvalidInput, naming the field and the rule, for a client that starts the workflow directly. */
export function checkInput(input: AnalysisInput): void {
  if (!patched(ANALYSIS_INPUT_RULES_PATCH)) return;
  const problem = analysisInputProblem(input);
  if (problem) throw invalidInput('InvalidInput', `analysis ${String(input?.analysisId)}`, problem);
}

async function analyse(run: AnalysisRun, original: AnalysisInput): Promise<AnalysisResult> {
  const progress = run.progress;
  const input = run.settings;
  await run.audit.started({ workflowType: 'codebaseAnalysis', analysisId: input.analysisId, budget: input.budget, specialist: input.specialist ?? null }, original);
  const manifestInput = { ...(input.snapshot.bucket ? { bucket: input.snapshot.bucket } : {}), prefix: input.snapshot.prefix };
  const manifest = await snapshotManifest(manifestInput);
  await run.audit.step('readSnapshotManifest', { input: manifestInput, output: manifest }, { snapshotId: manifest.snapshotId, files: manifest.files.length });
  run.location = manifest.snapshot;
  progress.files.total = manifest.files.length;

  const results = new Map<string, AnalyzeFileResult>();
  const recount = (): void => {
    progress.findingsBySeverity = countBySeverity([...results.values()].flatMap((r) => r.findings));
  };

  // Cheap pass over every file.
  const price = input.pricePer1kTokens;
  const factor = input.deepCostFactor;
  const cheapEstimate = roundAmount(manifest.files.reduce((s, f) => s + estimateCost(f.size, 'cheap', price, factor).amount, 0));
  await run.switchStrategy(
    'cheap-pass',
    `a syntactic pass over all ${manifest.files.length} files first (estimated ${cheapEstimate} of budget ${progress.cost.budget}${cheapEstimate > progress.cost.budget ? '; the budget will run out before the end: approval will be asked' : ''})`,
  );
  await run.stage('cheap-pass', { files: manifest.files.length, estimatedCost: cheapEstimate });
  const cheap = await run.runPass(manifest.files, 'cheap', (r) => {
    results.set(r.path, r);
    progress.files.analysed = results.size;
    recount();
  });

  let stopped = cheap === 'stopped';
  if (!stopped) stopped = (await deepPass(run, manifest.files, results, recount)) === 'stopped';

  const complete = !stopped && results.size === manifest.files.length;
  const unused = unusedExportsOf([...results.values()], input, complete);
  const findings: Finding[] = [...[...results.values()].flatMap((r) => r.findings), ...unusedExportFindings(unused)];
  progress.findingsBySeverity = countBySeverity(findings);

  if (stopped) {
    progress.stage = 'stopped-by-budget';
    await run.audit.ended('stopped', { analysed: results.size, total: manifest.files.length, spent: progress.cost.spent, budget: progress.cost.budget });
  } else if (input.refactor) {
    await run.planAndRefactor(findings, unused, manifest.files.map((f) => f.path));
  }

  const result: AnalysisResult = {
    analysisId: input.analysisId,
    status: stopped ? 'stopped-by-budget' : 'completed',
    stoppedByBudget: stopped,
    snapshot: { ...manifest.snapshot, snapshotId: manifest.snapshotId },
    files: {
      total: manifest.files.length,
      analysed: results.size,
      deep: [...results.values()].filter((r) => r.depth === 'deep').length,
      notAnalysed: manifest.files.filter((f) => !results.has(f.path)).map((f) => f.path),
    },
    cost: { spent: progress.cost.spent, budget: progress.cost.budget, tokens: progress.cost.tokens },
    findingsBySeverity: progress.findingsBySeverity,
    findings,
    complexity: [...results.values()]
      .flatMap((r) => r.functions.map((f) => ({ ...f, file: r.path })))
      .sort((a, b) => b.complexity - a.complexity)
      .slice(0, 20),
    unusedExports: unused,
    strategySwitches: progress.strategySwitches,
    ...(progress.plan ? { plan: progress.plan } : {}),
    ...(progress.planDecision ? { planDecision: progress.planDecision } : {}),
    batches: progress.batches,
  };
  if (!stopped) {
    progress.stage = 'completed';
    await run.audit.ended(
      'completed',
      { analysed: results.size, findings: findings.length, spent: progress.cost.spent, batchesApplied: progress.batches.filter((b) => b.status === 'applied').length, batchesRolledBack: progress.batches.filter((b) => b.status === 'rolled-back').length },
      result,
    );
  }
  progress.files.inFlight = [];
  run.publish();
  log.info('analysis finished', { workflowId: workflowInfo().workflowId, status: result.status, findings: findings.length, spent: progress.cost.spent });
  return result;
}

/**
 * The adaptive step: what the cheap pass found decides where the deep pass goes, and the budget
 * left decides how much of it runs.
 */
async function deepPass(run: AnalysisRun, files: readonly FileRef[], results: Map<string, AnalyzeFileResult>, recount: () => void): Promise<'done' | 'stopped'> {
  const input = run.settings;
  const progress = run.progress;
  const threshold = input.deepThreshold;
  const price = input.pricePer1kTokens;
  const factor = input.deepCostFactor;
  const hot = files
    .map((f) => ({ file: f, score: results.get(f.path)?.score ?? 0, cost: estimateCost(f.size, 'deep', price, factor).amount }))
    .filter((h) => h.score >= threshold)
    .sort((a, b) => b.score - a.score || a.file.path.localeCompare(b.file.path));
  if (hot.length === 0) {
    await run.switchStrategy('no-deep-pass', `no file scored ${threshold} or more in the cheap pass; a deep pass would find little`);
    return 'done';
  }
  const needed = roundAmount(hot.reduce((s, h) => s + h.cost, 0));
  const remaining = progress.cost.remaining;
  let chosen = hot;
  if (needed <= remaining) {
    await run.switchStrategy(
      'targeted-deep-pass',
      `${hot.length} of ${files.length} files scored ${threshold} or more (${hot.map((h) => `${h.file.path}=${h.score}`).join(', ')}); deep pass on those only, estimated ${needed} of ${remaining} left`,
    );
  } else {
    chosen = [];
    let sum = 0;
    for (const h of hot) {
      if (roundAmount(sum + h.cost) > remaining) continue;
      chosen.push(h);
      sum = roundAmount(sum + h.cost);
    }
    if (chosen.length === 0) {
      await run.switchStrategy('no-deep-pass', `${hot.length} files qualify for a deep pass (estimated ${needed}) but only ${remaining} of the budget is left, not enough for any of them`);
      return 'done';
    }
    await run.switchStrategy(
      'sampled-deep-pass',
      `the remaining budget ${remaining} cannot cover a deep pass over all ${hot.length} qualifying files (${needed}); sampling the ${chosen.length} highest-scoring that fit (${sum})`,
    );
  }
  progress.files.deepPlanned = chosen.length;
  await run.stage('deep-pass', { files: chosen.map((c) => c.file.path) });
  return run.runPass(
    chosen.map((c) => c.file),
    'deep',
    (r) => {
      results.set(r.path, r);
      progress.files.deepAnalysed++;
      recount();
    },
  );
}

import { ApplicationFailure, CancellationScope, ChildWorkflowFailure, executeChild, isCancellation, log, ParentClosePolicy, setHandler, workflowInfo } from '@temporalio/workflow';
import { roundAmount } from '../../domain/analysis/cost';
import type { Category } from '../../domain/analysis/types';
import { checkInput, codebaseAnalysis } from './workflow';
import { specialistProgressSignal } from './messages';
import { AnalysisRun, countBySeverity } from './run';
import { snapshotManifest } from './steps';
import type { AnalysisResult, Finding, MultiAgentInput, Specialist, SpecialistState, UnusedExport } from './types';

const DEFAULT_SPECIALISTS: Category[] = ['security', 'performance', 'architecture'];

/**
 * Multi-agent mode: specialist child workflows (security, performance, architecture) analyse the
 * snapshot in parallel, each on its share of the budget (they stop at their share rather than ask).
 * Their progress reaches this workflow by signal as it happens. A specialist that fails (or misses
 * its deadline) is reported as failed while the others' results are kept; cancelling this workflow
 * cancels the specialists. The merged findings then go through one plan and refactoring stage.
 */
export async function multiAgentAnalysis(input: MultiAgentInput): Promise<AnalysisResult> {
  // Budget decisions belong to the specialists' shares; the coordinator takes plan decisions.
  const run = new AnalysisRun(input, { budgetDecisions: false });
  checkInput(input);
  try {
    return await coordinate(run, input);
  } catch (err) {
    return run.onError(err);
  }
}

async function coordinate(run: AnalysisRun, input: MultiAgentInput): Promise<AnalysisResult> {
  const progress = run.progress;
  const parentId = workflowInfo().workflowId;
  const specialists: Specialist[] = input.specialists ?? DEFAULT_SPECIALISTS.map((name) => ({ name }));
  const explicit = specialists.reduce((s, sp) => s + (sp.budgetShare ?? 0), 0);
  if (explicit > 1) throw ApplicationFailure.nonRetryable(`budget shares add up to ${explicit}, more than 1`, 'InvalidInput');
  const rest = specialists.filter((s) => s.budgetShare === undefined).length;
  const shareOf = (s: Specialist): number => s.budgetShare ?? (1 - explicit) / Math.max(1, rest);

  const states: Record<string, SpecialistState> = {};
  progress.specialists = states;
  progress.strategy = 'specialists';
  for (const s of specialists) states[s.name] = { workflowId: `${parentId}-${s.name}`, status: 'running', budget: roundAmount(input.budget * shareOf(s)) };
  const refresh = (): void => {
    const live = Object.values(states).map((s) => s.progress).filter((p) => p !== undefined);
    progress.files.total = Math.max(0, ...live.map((p) => p.files.total));
    progress.files.analysed = Math.min(...(live.length ? live.map((p) => p.files.analysed) : [0]));
    progress.cost.spent = roundAmount(live.reduce((s, p) => s + p.cost.spent, 0));
    progress.cost.tokens = live.reduce((s, p) => s + p.cost.tokens, 0);
    progress.cost.remaining = roundAmount(progress.cost.budget - progress.cost.spent);
    progress.findingsBySeverity = live.reduce(
      (acc, p) => ({ critical: acc.critical + p.findingsBySeverity.critical, high: acc.high + p.findingsBySeverity.high, medium: acc.medium + p.findingsBySeverity.medium, low: acc.low + p.findingsBySeverity.low }),
      { critical: 0, high: 0, medium: 0, low: 0 },
    );
  };
  setHandler(specialistProgressSignal, ({ name, progress: p }) => {
    const state = states[name];
    if (!state) return;
    state.progress = p;
    refresh();
  });

  await run.audit.started({ workflowType: 'multiAgentAnalysis', analysisId: input.analysisId, budget: input.budget, specialists: specialists.map((s) => ({ ...s, budget: states[s.name]!.budget })) }, input);
  await run.switchStrategy('specialists', `${specialists.length} specialists in parallel (${specialists.map((s) => `${s.name}: ${states[s.name]!.budget}`).join(', ')}), each stopping at its share of the budget`);
  await run.stage('specialists');

  const { specialists: _omit, ...base } = input;
  const settled = await Promise.allSettled(
    specialists.map((s) =>
      executeChild(codebaseAnalysis, {
        workflowId: states[s.name]!.workflowId,
        args: [{ ...base, analysisId: `${input.analysisId}-${s.name}`, budget: states[s.name]!.budget, categories: [s.name], specialist: s.name, parentWorkflowId: parentId, budgetGate: false, refactor: false, requirePlanApproval: false }],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
        ...(s.timeoutSeconds ? { workflowExecutionTimeout: s.timeoutSeconds * 1000 } : {}),
      }).then(async (result) => {
        states[s.name]!.status = result.status;
        await run.audit.record('specialist-finished', { specialist: s.name, status: result.status, findings: result.findings.length, spent: result.cost.spent });
        return result;
      }),
    ),
  );
  if (CancellationScope.current().consideredCancelled) {
    for (const s of specialists) if (states[s.name]!.status === 'running') states[s.name]!.status = 'cancelled';
    throw settled.find((r) => r.status === 'rejected')?.reason ?? new Error('cancelled');
  }

  const results: Record<string, AnalysisResult> = {};
  for (const [i, s] of specialists.entries()) {
    const outcome = settled[i]!;
    if (outcome.status === 'fulfilled') {
      results[s.name] = outcome.value;
      continue;
    }
    const err: unknown = outcome.reason;
    const cause = err instanceof ChildWorkflowFailure ? (err.cause ?? err) : err;
    states[s.name]!.status = isCancellation(err) ? 'cancelled' : 'failed';
    states[s.name]!.error = `${(cause as Error).name}: ${(cause as Error).message}`;
    log.warn('specialist failed; keeping the others', { specialist: s.name, error: states[s.name]!.error });
    await run.audit.record('specialist-failed', { specialist: s.name, error: states[s.name]!.error });
  }
  const kept = Object.values(results);
  if (kept.length === 0) throw ApplicationFailure.nonRetryable(`every specialist failed: ${Object.entries(states).map(([n, s]) => `${n}: ${s.error}`).join('; ')}`, 'AllSpecialistsFailed');

  const findings: Finding[] = kept.flatMap((r) => r.findings);
  const unused: UnusedExport[] = kept.flatMap((r) => r.unusedExports);
  const stoppedByBudget = kept.some((r) => r.stoppedByBudget);
  progress.findingsBySeverity = countBySeverity(findings);
  progress.cost.spent = roundAmount(kept.reduce((s, r) => s + r.cost.spent, 0));
  progress.cost.tokens = kept.reduce((s, r) => s + r.cost.tokens, 0);
  progress.cost.remaining = roundAmount(progress.cost.budget - progress.cost.spent);
  const first = kept[0]!;
  run.location = { bucket: first.snapshot.bucket, prefix: first.snapshot.prefix };

  if (run.settings.refactor && !stoppedByBudget) {
    // The type check needs every source file of the snapshot.
    const manifestInput = run.snapshotLocation;
    const manifest = await snapshotManifest(manifestInput);
    await run.audit.step('readSnapshotManifest', { input: manifestInput, output: manifest }, { snapshotId: manifest.snapshotId, files: manifest.files.length });
    await run.planAndRefactor(findings, unused, manifest.files.map((f) => f.path));
  }

  const result: AnalysisResult = {
    analysisId: input.analysisId,
    status: stoppedByBudget ? 'stopped-by-budget' : 'completed',
    stoppedByBudget,
    snapshot: first.snapshot,
    files: { total: first.files.total, analysed: Math.min(...kept.map((r) => r.files.analysed)), deep: Math.max(...kept.map((r) => r.files.deep)), notAnalysed: [...new Set(kept.flatMap((r) => r.files.notAnalysed))] },
    cost: { spent: progress.cost.spent, budget: input.budget, tokens: progress.cost.tokens },
    findingsBySeverity: progress.findingsBySeverity,
    findings,
    complexity: kept.flatMap((r) => r.complexity).sort((a, b) => b.complexity - a.complexity).slice(0, 20),
    unusedExports: unused,
    strategySwitches: progress.strategySwitches,
    ...(progress.plan ? { plan: progress.plan } : {}),
    ...(progress.planDecision ? { planDecision: progress.planDecision } : {}),
    batches: progress.batches,
    specialists: Object.fromEntries(Object.entries(states).map(([name, s]) => [name, { ...s, ...(results[name] ? { result: results[name] } : {}) }])),
  };
  progress.stage = 'completed';
  await run.audit.ended('completed', { specialists: Object.fromEntries(Object.entries(states).map(([n, s]) => [n, s.status])), findings: findings.length, spent: progress.cost.spent }, result);
  return result;
}

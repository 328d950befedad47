import { CancellationScope, condition, getExternalWorkflowHandle, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { estimateCost, roundAmount } from '../../domain/analysis/cost';
import { findUnusedExports, unusedExportFindings } from '../../domain/analysis/graph';
import { deriveRefactorPlan } from '../../domain/analysis/plan';
import type { AnalyzeFileResult } from '../../lambdas/analyze-file/steps';
import type { Depth, FileRef, Finding } from '../../domain/analysis/types';
import { workflowAudit, type WorkflowAudit } from '../lib/audit';
import { acceptDecisions } from '../lib/decisions';
import { settleAnalysis, type SettledAnalysis } from './defaults';
import { ANALYSIS_LEGACY_AUDIT } from './names';
import { analyzeFile, applyRefactoring, checkFiles, rollbackRefactoring } from './steps';
import { budgetSignal, budgetUpdate, planSignal, planUpdate, progressQuery, specialistProgressSignal } from './messages';
import type {
  AnalysisInput,
  AnalysisProgress,
  BatchState,
  BudgetDecisionInput,
  DecisionOutcome,
  PlanDecisionInput,
  RefactorPlan,
  SeverityCounts,
  Stage,
  UnusedExport,
} from './types';

export const emptyCounts = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0 });

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts = emptyCounts();
  for (const f of findings) counts[f.severity]++;
  return counts;
}

const now = (): string => new Date().toISOString();

/**
 * The state and the message handlers one analysis run shares between its stages: the progress
 * query, the budget and plan decisions (Update with a validator, and the equivalent signal), the
 * request ids already processed (a repeat is answered as a duplicate and changes nothing).
 */
export class AnalysisRun {
  readonly progress: AnalysisProgress;
  /** The input with its defaults filled in. */
  readonly settings: SettledAnalysis;
  /** The run's audit (one naming scheme; runs from before it keep their names). */
  readonly audit: WorkflowAudit = workflowAudit('analysis', ANALYSIS_LEGACY_AUDIT);
  private readonly processed = new Map<string, DecisionOutcome>();
  private budgetDecision: BudgetDecisionInput | undefined;
  private planDecision: PlanDecisionInput | undefined;

  constructor(
    readonly input: AnalysisInput,
    options: { budgetDecisions: boolean },
  ) {
    this.settings = settleAnalysis(input);
    this.progress = {
      analysisId: input.analysisId,
      ...(input.specialist ? { specialist: input.specialist } : {}),
      stage: 'loading-snapshot',
      strategy: 'loading',
      strategySwitches: [],
      files: { total: 0, analysed: 0, deepPlanned: 0, deepAnalysed: 0, inFlight: [] },
      cost: { spent: 0, budget: input.budget, remaining: input.budget, tokens: 0 },
      findingsBySeverity: emptyCounts(),
      budgetDecisions: [],
      batches: [],
    };
    setHandler(progressQuery, () => this.progress);

    acceptDecisions<BudgetDecisionInput, DecisionOutcome>({
      name: 'budget decision',
      update: budgetUpdate,
      signal: budgetSignal,
      processed: this.processed,
      keyOf: (requestId) => `budget:${requestId}`,
      problem: (d) => {
        if (!options.budgetDecisions) return 'this analysis splits its budget among specialists; it does not take budget decisions';
        const pending = this.progress.pendingBudgetRequest;
        if (!pending) return `no budget decision is pending (stage: ${this.progress.stage})`;
        if (d.approved && d.newBudget === undefined) return 'an approval needs newBudget';
        if (d.approved && d.newBudget! < pending.minimumBudget) {
          return `newBudget ${d.newBudget} does not cover the next file (${pending.nextFile}): it must be at least ${pending.minimumBudget}`;
        }
        return undefined;
      },
      take: (d) => {
        this.budgetDecision = d;
        return { requestId: d.requestId, duplicate: false, approved: d.approved, budget: d.approved ? d.newBudget! : this.progress.cost.budget, stage: this.progress.stage };
      },
    });
    acceptDecisions<PlanDecisionInput, DecisionOutcome>({
      name: 'plan decision',
      update: planUpdate,
      signal: planSignal,
      processed: this.processed,
      keyOf: (requestId) => `plan:${requestId}`,
      problem: () => (this.progress.stage !== 'awaiting-plan-approval' ? `no plan is awaiting approval (stage: ${this.progress.stage})` : undefined),
      take: (d) => {
        this.planDecision = d;
        return { requestId: d.requestId, duplicate: false, approved: d.approved, stage: this.progress.stage };
      },
    });
  }

  get snapshotLocation(): { bucket: string; prefix: string } {
    if (!this.location) throw new Error('snapshot not loaded');
    return this.location;
  }
  location: { bucket: string; prefix: string } | undefined;

  async stage(stage: Stage, fields: Record<string, unknown> = {}): Promise<void> {
    this.progress.stage = stage;
    await this.audit.record('stage-entered', { stage, ...fields });
  }

  async switchStrategy(to: string, reason: string): Promise<void> {
    const from = this.progress.strategy;
    this.progress.strategy = to;
    this.progress.strategySwitches.push({ from, to, reason, at: now() });
    log.info('strategy switched', { from, to, reason });
    await this.audit.record('strategy-switched', { from, to, reason });
  }

  setBudget(budget: number): void {
    this.progress.cost.budget = budget;
    this.progress.cost.remaining = roundAmount(budget - this.progress.cost.spent);
  }

  private spend(amount: number, tokens: number): void {
    this.progress.cost.spent = roundAmount(this.progress.cost.spent + amount);
    this.progress.cost.tokens += tokens;
    this.progress.cost.remaining = roundAmount(this.progress.cost.budget - this.progress.cost.spent);
  }

  /**
   * Analyses `files` at `depth`, `parallelism` at a time. A file is started only when the cost so
   * far, plus what is in flight, plus its own estimate stays within the budget; otherwise the run
   * waits for what is in flight, then asks for a budget decision (or stops, without a gate).
   * Each result updates the progress as it lands. Returns 'stopped' when the budget was refused.
   */
  async runPass(files: readonly FileRef[], depth: Depth, onResult: (r: AnalyzeFileResult) => void): Promise<'done' | 'stopped'> {
    const input = this.settings;
    const price = input.pricePer1kTokens;
    const factor = input.deepCostFactor;
    const parallelism = Math.max(1, input.parallelism);
    const queue = [...files];
    const inFlight = new Set<Promise<void>>();
    let reserved = 0;
    while (queue.length > 0) {
      const next = queue[0]!;
      const estimate = estimateCost(next.size, depth, price, factor).amount;
      if (roundAmount(this.progress.cost.spent + reserved + estimate) > this.progress.cost.budget) {
        if (inFlight.size > 0) {
          await Promise.race(inFlight);
          continue;
        }
        if (!(await this.budgetGate(next, depth, estimate))) return 'stopped';
        continue;
      }
      queue.shift();
      reserved = roundAmount(reserved + estimate);
      this.progress.files.inFlight.push(next.path);
      const request = {
        analysisId: input.analysisId,
        snapshot: this.snapshotLocation,
        file: next,
        depth,
        ...(input.categories ? { categories: input.categories } : {}),
        pricePer1kTokens: price,
        deepCostFactor: factor,
        complexityThreshold: input.complexityThreshold,
      };
      const task: Promise<void> = analyzeFile(request)
        .then(async (result) => {
          reserved = roundAmount(reserved - estimate);
          this.spend(result.cost.amount, result.cost.tokens);
          this.progress.files.inFlight = this.progress.files.inFlight.filter((p) => p !== next.path);
          this.progress.files.lastCompleted = next.path;
          onResult(result);
          this.publish();
          await this.audit.step('analyzeFile', { input: request, output: result }, { path: next.path, depth, score: result.score, findings: result.findings.length, cost: result.cost.amount });
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= parallelism) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return 'done';
  }

  /** The budget would be exceeded by the next file: ask, wait, and apply the decision. */
  private async budgetGate(next: FileRef, depth: Depth, estimate: number): Promise<boolean> {
    const { spent, budget } = this.progress.cost;
    const minimumBudget = roundAmount(spent + estimate);
    if (!this.settings.budgetGate) {
      this.progress.budgetDecisions.push({ requestId: 'automatic', approved: false, at: now(), reason: 'budget share exhausted; this analysis does not ask for more' });
      await this.audit.decision('taken', 'budget', { approved: false, automatic: true, spent, budget, nextFile: next.path, estimatedCost: estimate });
      return false;
    }
    const previousStage = this.progress.stage;
    // Cleared before the gate opens: a decision may arrive while the audit event below is being
    // recorded (the stage is already visible to clients), and it must not be wiped afterwards.
    this.budgetDecision = undefined;
    this.progress.pendingBudgetRequest = { requestedAt: now(), spent, budget, nextFile: next.path, depth, estimatedCost: estimate, minimumBudget };
    this.progress.stage = 'awaiting-budget-approval';
    await this.audit.decision('requested', 'budget', { spent, budget, nextFile: next.path, depth, estimatedCost: estimate, minimumBudget });
    const timeoutSeconds = this.settings.budgetApprovalTimeoutSeconds;
    const decided = await condition(() => this.budgetDecision !== undefined, timeoutSeconds * 1000);
    const decision = this.budgetDecision as BudgetDecisionInput | undefined;
    this.progress.pendingBudgetRequest = undefined;
    this.progress.stage = previousStage;
    if (!decided || !decision) {
      const reason = `no budget decision within ${timeoutSeconds} s: treated as refused`;
      this.progress.budgetDecisions.push({ requestId: 'timeout', approved: false, at: now(), reason });
      await this.audit.decision('taken', 'budget', { approved: false, timedOut: true, reason, spent, budget });
      return false;
    }
    this.progress.budgetDecisions.push({ ...decision, at: now() });
    if (decision.approved) this.setBudget(decision.newBudget!);
    await this.audit.decision('taken', 'budget', { requestId: decision.requestId, approved: decision.approved, newBudget: decision.newBudget ?? null, decidedBy: decision.decidedBy ?? null, previousBudget: budget, spent });
    return decision.approved;
  }

  /** A specialist sends its progress to its coordinator; a signal, not awaited, so it never slows the analysis. */
  publish(): void {
    const parent = this.input.parentWorkflowId;
    if (!parent || !this.input.specialist) return;
    const { stage, files, cost, findingsBySeverity } = this.progress;
    getExternalWorkflowHandle(parent)
      .signal(specialistProgressSignal, { name: this.input.specialist, progress: { stage, files: { ...files, inFlight: [...files.inFlight] }, cost: { ...cost }, findingsBySeverity: { ...findingsBySeverity } } })
      .catch((err: unknown) => log.warn('progress not delivered to the coordinator', { parent, error: String(err) }));
  }

  /**
   * Derives the refactoring plan, waits for its approval when required, and applies it batch by
   * batch: apply (applyRefactoring) → type-check the snapshot (checkFiles) → keep, or roll the batch's
   * files back to their previous versions when it adds diagnostics; then the next batch.
   */
  async planAndRefactor(findings: readonly Finding[], unused: readonly UnusedExport[], paths: readonly string[]): Promise<void> {
    const input = this.settings;
    await this.stage('planning');
    const plan: RefactorPlan = deriveRefactorPlan(findings, unused, Math.max(1, input.batchSize));
    this.progress.plan = plan;
    this.progress.batches = plan.batches.map((b) => ({ id: b.id, transform: b.transform, files: b.files.map((f) => f.path), status: 'pending' }));
    await this.audit.record('plan-proposed', { batches: plan.batches.length, manual: plan.manual.length, summary: plan.summary, requiresApproval: input.requirePlanApproval });
    if (plan.batches.length === 0) return;

    if (input.requirePlanApproval) {
      this.progress.stage = 'awaiting-plan-approval';
      await this.audit.decision('requested', 'plan', { stage: 'awaiting-plan-approval' });
      const timeoutSeconds = input.planApprovalTimeoutSeconds;
      const decided = await condition(() => this.planDecision !== undefined, timeoutSeconds * 1000);
      const decision = this.planDecision;
      if (!decided || !decision) {
        const reason = `no plan decision within ${timeoutSeconds} s: refactoring skipped`;
        this.progress.planDecision = { requestId: 'timeout', approved: false, approvedBy: 'timeout', at: now(), reason };
        await this.audit.decision('taken', 'plan', { approved: false, timedOut: true, reason });
        return;
      }
      this.progress.planDecision = { ...decision, at: now() };
      await this.audit.decision('taken', 'plan', { requestId: decision.requestId, approved: decision.approved, approvedBy: decision.approvedBy });
      if (!decision.approved) return;
    }

    await this.stage('refactoring', { batches: plan.batches.length });
    const snapshot = this.snapshotLocation;
    let baseline = (await this.checkFiles({ snapshot, paths: [...paths] })).keys;
    for (const [i, batch] of plan.batches.entries()) {
      const state: BatchState = this.progress.batches[i]!;
      const applyInput = { snapshot, batchId: `${workflowInfo().workflowId}/${batch.id}`, transform: batch.transform, files: batch.files };
      const applied = await applyRefactoring(applyInput);
      await this.audit.step('applyRefactoring', { input: applyInput, output: applied }, { batchId: batch.id, files: applied.applied.length });
      const written = applied.applied.filter((f) => f.versionId !== f.previousVersionId);
      state.versions = Object.fromEntries(applied.applied.map((f) => [f.path, { previousVersionId: f.previousVersionId, versionId: f.versionId }]));
      const check = await this.checkFiles({ snapshot, paths: [...paths], baseline });
      if (check.ok) {
        state.status = 'applied';
        baseline = check.keys;
        await this.audit.record('batch-applied', { batchId: batch.id, transform: batch.transform, files: batch.files.map((f) => f.path), edits: applied.applied.reduce((s, f) => s + f.edits, 0) });
        continue;
      }
      const rollbackInput = { snapshot, batchId: batch.id, files: written.map((f) => ({ path: f.path, previousVersionId: f.previousVersionId })) };
      const restored = await rollbackRefactoring(rollbackInput);
      await this.audit.step('rollbackRefactoring', { input: rollbackInput, output: restored }, { batchId: batch.id, files: restored.restored.length });
      for (const r of restored.restored) state.versions[r.path] = { previousVersionId: r.restoredFrom, versionId: r.versionId };
      state.status = 'rolled-back';
      state.newDiagnostics = check.newDiagnostics.slice(0, 20);
      state.reason = `${check.newDiagnostics.length} new type error(s), e.g. ${check.newDiagnostics[0]?.file}:${check.newDiagnostics[0]?.line} TS${check.newDiagnostics[0]?.code} ${check.newDiagnostics[0]?.message}`;
      await this.audit.record('batch-rolled-back', { batchId: batch.id, transform: batch.transform, files: written.map((f) => f.path), reason: state.reason });
    }
  }

  /** The type check of the snapshot (against a baseline of known diagnostics, when given), audited as a step. */
  private async checkFiles(input: Parameters<typeof checkFiles>[0]): Promise<Awaited<ReturnType<typeof checkFiles>>> {
    const check = await checkFiles(input);
    await this.audit.step('checkFiles', { input, output: check }, { ok: check.ok, newDiagnostics: check.newDiagnostics.length });
    return check;
  }

  /** Records a cancellation (outside the cancelled scope) and passes it on. */
  async onError(err: unknown): Promise<never> {
    if (isCancellation(err)) {
      this.progress.stage = 'cancelled';
      await CancellationScope.nonCancellable(() => this.audit.ended('cancelled', { analysed: this.progress.files.analysed, spent: this.progress.cost.spent }));
    } else {
      await CancellationScope.nonCancellable(() => this.audit.ended('failed', { error: err instanceof Error ? err.message : String(err) }));
    }
    throw err;
  }
}

/** Unused exports need every file's imports: computed only when all files were analysed. */
export function unusedExportsOf(results: readonly AnalyzeFileResult[], input: SettledAnalysis, complete: boolean): UnusedExport[] {
  if (!complete) return [];
  if (input.categories && !input.categories.includes('architecture')) return [];
  return findUnusedExports(results, input.entryPoints);
}

export { unusedExportFindings };

import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { analyzeFile, type AnalyzeFileInput } from '../../lambdas/analyze-file/steps';
import { checkFiles, type CheckFilesInput } from '../../lambdas/check-files/steps';
import { refactorFiles, type RefactorApplyInput, type RefactorRollbackInput } from '../../lambdas/refactor-files/steps';
import { snapshotManifest } from '../../lambdas/snapshot-manifest/steps';
import { diagnosticKey, typeCheck } from '../../lambdas/shared/analysis/program';
import { StaticAnalyzer } from '../../lambdas/shared/analysis/static-analyzer';
import { applyTransform } from '../../lambdas/shared/analysis/transforms';
import type { AppendAuditEventRequest } from '../../runtime/audit/log/types';
import { budgetUpdate, planSignal, planUpdate, progressQuery } from '../../workflows/analysis/messages';
import type { codebaseAnalysis } from '../../workflows/analysis/workflow';
import type { AnalysisInput, AnalysisProgress } from '../../workflows/analysis/types';
import { stepActivities } from '../support/step-activities';
import { createTimeSkippingEnv } from '../support/time-skipping';

/**
 * The analysis workflow's waits on the time-skipping server: the budget gate (approved by Update,
 * or refused by its 24-hour timeout) and the plan approval (by signal, or skipped after its 7-day
 * timeout). The steps run in-process on the real analyser, transformations and type checker over
 * the sample repo, with S3 object versions kept in memory; test/integration/analysis-e2e.test.ts
 * proves the same paths against the deployed functions.
 */
const sampleRepo = join(__dirname, '..', 'testdata', 'sample-repo');

function readRepo(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const f = join(d, n);
      if (statSync(f).isDirectory()) walk(f);
      else out.set(relative(sampleRepo, f).split(sep).join('/'), readFileSync(f, 'utf8'));
    }
  };
  walk(sampleRepo);
  return out;
}

/** In-process steps: same contracts as the Lambda functions, versions of each file kept in memory. */
/** `slowAudit`: how long recording an event of that type takes (a busy audit table). */
function fakeCloud(slowAudit: Record<string, Promise<void>> = {}) {
  const versions = new Map<string, string[]>([...readRepo()].map(([p, t]) => [p, [t]]));
  const audit: Array<Record<string, unknown>> = [];
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  const current = (p: string) => versions.get(p)!.at(-1)!;
  const sources = () => [...versions.keys()].filter((p) => p.endsWith('.ts')).sort();
  const analyzer = new StaticAnalyzer();
  // By step name: what the workflow schedules, or the generic activity dispatches to.
  const steps: Record<string, (input: never) => unknown> = {
    [snapshotManifest.steps.read.name]: (input: { prefix: string }) => ({
      snapshot: { bucket: 'memory', prefix: input.prefix },
      snapshotId: 'sample',
      files: sources().map((path) => ({ path, sha256: sha(current(path)), size: Buffer.byteLength(current(path)) })),
      skipped: 1,
      totalBytes: 0,
    }),
    [analyzeFile.steps.analyze.name]: (input: AnalyzeFileInput) => ({ ...analyzer.analyzeSync({ ...input, text: current(input.file.path) }), analyzer: analyzer.name }),
    [refactorFiles.steps.apply.name]: (input: RefactorApplyInput) => ({
      op: 'apply',
      batchId: input.batchId,
      applied: input.files.map((f) => {
        const before = current(f.path);
        const { text, edits } = applyTransform(f.path, before, { transform: input.transform, ...(f.names ? { names: f.names } : {}) });
        const list = versions.get(f.path)!;
        const previousVersionId = String(list.length - 1);
        if (edits > 0) list.push(text);
        return { path: f.path, previousVersionId, versionId: String(list.length - 1), edits, sha256Before: sha(before), sha256After: sha(text) };
      }),
    }),
    [refactorFiles.steps.rollback.name]: (input: RefactorRollbackInput) => ({
      op: 'rollback',
      batchId: input.batchId,
      restored: input.files.map((f) => {
        const list = versions.get(f.path)!;
        list.push(list[Number(f.previousVersionId)]!);
        return { path: f.path, restoredFrom: f.previousVersionId, versionId: String(list.length - 1), sha256: sha(current(f.path)) };
      }),
    }),
    [checkFiles.steps.check.name]: (input: CheckFilesInput) => {
      const diagnostics = typeCheck(Object.fromEntries(input.paths.map((p) => [p, current(p)])));
      const base = new Set(input.baseline ?? []);
      const newDiagnostics = diagnostics.filter((d) => !base.has(diagnosticKey(d)));
      return { ok: newDiagnostics.length === 0, keys: diagnostics.map(diagnosticKey), newDiagnostics, files: input.paths.length, ms: 0 };
    },
  };
  /** The functions called, by logical name. */
  const calls: string[] = [];
  return {
    versions,
    audit,
    calls,
    activities: {
      ...stepActivities([snapshotManifest, analyzeFile, refactorFiles, checkFiles], (step, input) => {
        calls.push(step.functionName);
        return steps[step.name]!(input as never);
      }),
      startFunction: () => Promise.reject(new Error('not used')),
      appendAuditEvent: async (req: AppendAuditEventRequest) => {
        await slowAudit[req.event.type];
        audit.push(req.event);
        return { recorded: true, logId: req.logId, digests: {} };
      },
    },
  };
}

describe('analysis workflow waits (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/analysis/workflow'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  }, 300_000);

  afterAll(async () => {
    await env?.teardown();
  });

  const input = (over: Partial<AnalysisInput> = {}): AnalysisInput => ({ analysisId: `a-${randomUUID()}`, snapshot: { prefix: 'snapshots/sample' }, budget: 10, parallelism: 2, ...over });

  async function withWorker<T>(cloud: ReturnType<typeof fakeCloud>, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `analysis-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: cloud.activities });
    return worker.runUntil(fn(taskQueue));
  }

  async function until(handle: WorkflowHandle, check: (p: AnalysisProgress) => boolean): Promise<AnalysisProgress> {
    for (let i = 0; i < 600; i++) {
      const p = await handle.query(progressQuery);
      if (check(p)) return p;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('condition never reached');
  }

  it('budget gate: no decision within 24 hours counts as refused; the partial result is flagged', async () => {
    const cloud = fakeCloud();
    const result = await withWorker(cloud, (taskQueue) =>
      env.client.workflow.execute<typeof codebaseAnalysis>('codebaseAnalysis', { taskQueue, workflowId: `analysis-${randomUUID()}`, args: [input({ budget: 0.004, parallelism: 1 })] }),
    );
    expect(result).toMatchObject({ status: 'stopped-by-budget', stoppedByBudget: true });
    expect(result.files.analysed).toBeGreaterThan(0);
    expect(result.files.notAnalysed.length).toBeGreaterThan(0);
    expect(result.cost.spent).toBeLessThanOrEqual(0.004);
    expect(cloud.audit.find((e) => e.type === 'analysis.decision-taken')).toMatchObject({ gate: 'budget', approved: false, timedOut: true });
    expect(cloud.calls).not.toContain('refactorFiles');
  });

  it('budget gate: an approved new budget (Update) is enforced from then on; a repeat is a duplicate; a decision with nothing pending is rejected', async () => {
    const cloud = fakeCloud();
    await withWorker(cloud, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof codebaseAnalysis>('codebaseAnalysis', { taskQueue, workflowId: `analysis-${randomUUID()}`, args: [input({ budget: 0.004, parallelism: 1, refactor: false })] });
      const waiting = await until(handle, (p) => p.stage === 'awaiting-budget-approval');
      expect(waiting.pendingBudgetRequest).toMatchObject({ budget: 0.004 });
      await expect(handle.executeUpdate(budgetUpdate, { args: [{ requestId: 'r0', approved: true, newBudget: 0.0001 }] })).rejects.toThrow(WorkflowUpdateFailedError);
      const outcome = await handle.executeUpdate(budgetUpdate, { args: [{ requestId: 'r1', approved: true, newBudget: 0.006 }] });
      expect(outcome).toMatchObject({ duplicate: false, approved: true, budget: 0.006 });
      expect(await handle.executeUpdate(budgetUpdate, { args: [{ requestId: 'r1', approved: true, newBudget: 0.006 }] })).toMatchObject({ duplicate: true });
      // 0.006 is not enough for all files: the gate asks again, under the new budget.
      const second = await until(handle, (p) => p.stage === 'awaiting-budget-approval' && p.cost.budget === 0.006);
      expect(second.cost.spent).toBeGreaterThan(0.004);
      expect(second.cost.spent).toBeLessThanOrEqual(0.006);
      await handle.executeUpdate(budgetUpdate, { args: [{ requestId: 'r2', approved: true, newBudget: 1 }] });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', cost: { budget: 1 }, files: { analysed: 8 } });
      await expect(handle.executeUpdate(budgetUpdate, { args: [{ requestId: 'r3', approved: false }] })).rejects.toThrow();
    });
  });

  it('budget gate: a decision sent as soon as the gate shows, while its audit event is still being recorded, is not lost', async () => {
    let release!: () => void;
    const auditHeld = new Promise<void>((resolve) => (release = resolve));
    const cloud = fakeCloud({ 'analysis.decision-requested': auditHeld });
    await withWorker(cloud, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof codebaseAnalysis>('codebaseAnalysis', { taskQueue, workflowId: `analysis-${randomUUID()}`, args: [input({ budget: 0.004, parallelism: 1, refactor: false })] });
      await until(handle, (p) => p.stage === 'awaiting-budget-approval');
      // The gate is visible, its audit activity has not finished: the refusal lands in between.
      const outcome = await handle.executeUpdate(budgetUpdate, { args: [{ requestId: 'early', approved: false }] });
      expect(outcome).toMatchObject({ duplicate: false, approved: false });
      release();
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'stopped-by-budget', stoppedByBudget: true });
      expect(cloud.audit.find((e) => e.type === 'analysis.decision-taken')).toMatchObject({ gate: 'budget', requestId: 'early', approved: false });
    });
  });

  it('plan approval: no decision within 7 days skips the refactoring', async () => {
    const cloud = fakeCloud();
    const result = await withWorker(cloud, (taskQueue) =>
      env.client.workflow.execute<typeof codebaseAnalysis>('codebaseAnalysis', { taskQueue, workflowId: `analysis-${randomUUID()}`, args: [input({ requirePlanApproval: true })] }),
    );
    expect(result.status).toBe('completed');
    expect(result.planDecision).toMatchObject({ approved: false, requestId: 'timeout' });
    expect(result.batches.length).toBeGreaterThan(0);
    expect(result.batches.every((b) => b.status === 'pending')).toBe(true);
    expect(cloud.calls).not.toContain('refactorFiles');
  });

  it('plan approval by signal: batches run; the failing one is rolled back to the exact previous text', async () => {
    const cloud = fakeCloud();
    const original = cloud.versions.get('src/api/handlers.ts')![0];
    await withWorker(cloud, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof codebaseAnalysis>('codebaseAnalysis', { taskQueue, workflowId: `analysis-${randomUUID()}`, args: [input({ requirePlanApproval: true, batchSize: 1 })] });
      await expect(handle.executeUpdate(planUpdate, { args: [{ requestId: 'early', approved: true, approvedBy: 'x' }] })).rejects.toThrow(WorkflowUpdateFailedError);
      await until(handle, (p) => p.stage === 'awaiting-plan-approval');
      await handle.signal(planSignal, { requestId: 'p1', approved: true, approvedBy: 'lead' });
      const result = await handle.result();
      const failing = result.batches.find((b) => b.transform === 'any-to-unknown' && b.files.includes('src/api/handlers.ts'));
      expect(failing?.status).toBe('rolled-back');
      expect(cloud.versions.get('src/api/handlers.ts')!.at(-1)).toBe(original);
      expect(result.batches.filter((b) => b.status === 'applied').length).toBeGreaterThan(0);
      expect(cloud.audit.map((e) => e.type)).toEqual(expect.arrayContaining(['analysis.decision-taken', 'analysis.batch-applied', 'analysis.batch-rolled-back', 'analysis.completed']));
    });
  });
});

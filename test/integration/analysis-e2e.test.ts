import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { uploadSnapshot } from '../../scripts/upload-snapshot';
import type { AnalysisProgress, AnalysisResult, BatchState, Finding } from '../../workflows/analysis/types';
import { s3, stack } from '../support/stack';

/**
 * The analysis workflow end to end over HTTP on the local cloud: the deployed API starts it, the
 * shared worker runs it, every step is a real Lambda function reading the snapshot from S3.
 */
jest.setTimeout(300_000);

const outputs = () => stack() as unknown as Record<string, string>;
const sampleRepo = join(__dirname, '..', 'testdata', 'sample-repo');

/** What the API answers, loosely: the fields these tests read. */
interface Body {
  status?: string;
  state?: AnalysisProgress;
  result?: AnalysisResult;
  error?: string;
  errors?: Array<{ field: string; message: string }>;
  duplicate?: boolean;
  statusUrl?: string;
  [key: string]: unknown;
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await fetch(`${outputs().ApiUrl!.replace(/\/$/, '')}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body, headers: res.headers };
}

async function upload(): Promise<{ snapshotId: string; prefix: string; bucket: string }> {
  return uploadSnapshot({ source: sampleRepo, bucket: outputs().AnalysisSnapshotBucketName!, s3: s3() });
}

async function until(what: string, analysisId: string, check: (status: Body) => boolean, timeoutMs = 240_000): Promise<Body & { state: AnalysisProgress; result: AnalysisResult }> {
  const deadline = Date.now() + timeoutMs;
  let last: Body;
  for (;;) {
    last = (await api('GET', `/analyses/${analysisId}`)).body;
    if (check(last)) return last as Body & { state: AnalysisProgress; result: AnalysisResult };
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const closed = (s: Body): boolean => !!s.status && s.status !== 'RUNNING';

async function currentText(bucket: string, prefix: string, path: string): Promise<string> {
  const res = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/files/${path}` }));
  return res.Body!.transformToString('utf8');
}

describe('analysis over HTTP', () => {
  it('finds the planted issues, adapts its strategy, applies good batches and rolls back the failing one byte for byte', async () => {
    const snap = await upload();
    const analysisId = `e2e-${randomUUID()}`;
    const start = await api('POST', '/analyses', { analysisId, snapshotId: snap.snapshotId, budget: 10, batchSize: 1 });
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({ analysisId, workflowId: `analysis-${analysisId}`, status: 'RUNNING' });
    expect(start.headers.get('location')).toBe(start.body.statusUrl);

    // Progress is visible while it runs: files land one by one.
    const seen = new Set<number>();
    const final = await until('completion', analysisId, (s) => {
      if (typeof s.state?.files.analysed === 'number') seen.add(s.state.files.analysed);
      return closed(s);
    });
    expect(final.status).toBe('COMPLETED');
    expect(seen.size).toBeGreaterThan(1);
    const result = final.result;
    expect(result.stoppedByBudget).toBe(false);
    expect(result.files).toMatchObject({ total: 8, analysed: 8 });

    const has = (rule: string, file: string, extra: (f: Finding) => boolean = () => true) => result.findings.some((f: Finding) => f.rule === rule && f.file === file && extra(f));
    expect(has('sql-injection', 'src/db/users.ts', (f) => f.line === 5)).toBe(true);
    expect(has('sql-injection', 'src/db/users.ts', (f) => f.line === 10)).toBe(true);
    expect(result.findings.filter((f: Finding) => f.rule === 'sql-injection')).toHaveLength(2); // the parameterised queries are not flagged
    expect(has('eval', 'src/plugins/loader.ts', (f) => f.line === 3)).toBe(true);
    expect(has('eval', 'src/plugins/loader.ts', (f) => f.line === 8)).toBe(true);
    expect(has('hardcoded-secret', 'src/config.ts', (f) => f.severity === 'critical' && /AWS access key/.test(f.message))).toBe(true);
    expect(has('hardcoded-secret', 'src/config.ts', (f) => /dbPassword/.test(f.message))).toBe(true);
    expect(has('hardcoded-secret', 'src/config.ts', (f) => /apiKey/.test(f.message))).toBe(true);
    expect(has('high-complexity', 'src/billing/pricing.ts', (f) => /quote has cyclomatic complexity 15/.test(f.message))).toBe(true);
    expect(has('explicit-any', 'src/api/handlers.ts')).toBe(true);
    expect(has('explicit-any', 'src/util/format.ts')).toBe(true);
    expect(has('await-in-loop', 'src/api/handlers.ts')).toBe(true);
    expect(has('sync-io', 'src/util/format.ts')).toBe(true);
    expect(result.unusedExports).toEqual(expect.arrayContaining([{ file: 'src/config.ts', name: 'LEGACY_TIMEOUT_MS' }, { file: 'src/util/format.ts', name: 'readTemplate' }]));
    expect(result.unusedExports).not.toEqual(expect.arrayContaining([{ file: 'src/config.ts', name: 'settings' }]));
    // Adaptive: the deep pass (type-checked) ran only on the four files whose cheap-pass score crossed the threshold,
    // and found the `any` flow the syntactic pass cannot see.
    expect(result.strategySwitches.map((s) => s.to)).toEqual(['cheap-pass', 'targeted-deep-pass']);
    expect(result.strategySwitches[1]!.reason).toMatch(/^4 of 8 files scored 8 or more/);
    expect(result.files.deep).toBe(4);
    expect(has('any-argument', 'src/plugins/loader.ts', (f) => /JSON\.parse/.test(f.message))).toBe(true);
    expect(has('any-argument', 'src/api/handlers.ts')).toBe(false);

    // Batches: == → === and unexport applied; any → unknown in handlers.ts breaks the type check and is rolled back.
    const batch = (id: string) => result.batches.find((b: BatchState) => b.id === id);
    const failing = result.batches.find((b: BatchState) => b.transform === 'any-to-unknown' && b.files.includes('src/api/handlers.ts'));
    expect(failing?.status).toBe('rolled-back');
    expect(failing?.reason).toMatch(/TS18046/);
    expect(await currentText(snap.bucket, snap.prefix, 'src/api/handlers.ts')).toBe(readFileSync(join(sampleRepo, 'src/api/handlers.ts'), 'utf8'));
    const formatBatch = result.batches.find((b: BatchState) => b.transform === 'any-to-unknown' && b.files.includes('src/util/format.ts'));
    expect(formatBatch?.status).toBe('applied');
    expect(await currentText(snap.bucket, snap.prefix, 'src/util/format.ts')).toContain('describe(value: unknown)');
    expect(batch('strict-equality-2')?.status).toBe('applied');
    expect(await currentText(snap.bucket, snap.prefix, 'src/db/users.ts')).toContain("role === 'admin' || role === 'owner'");
    expect(await currentText(snap.bucket, snap.prefix, 'src/config.ts')).toContain('\nconst LEGACY_TIMEOUT_MS = 30000;');

    // The audit log has the stages, the strategy switches and the batches.
    const audit = await api('GET', `/audit/${encodeURIComponent(`analysis-${analysisId}`)}`);
    const types = JSON.stringify(audit.body);
    for (const t of ['analysis.strategy-switched', 'analysis.batch-applied', 'analysis.batch-rolled-back', 'analysis.completed']) expect(types).toContain(t);
  });

  it('pauses at the budget, continues under an approved new budget, and answers a repeat as a duplicate', async () => {
    const snap = await upload();
    const analysisId = `e2e-budget-${randomUUID()}`;
    expect((await api('POST', '/analyses', { analysisId, snapshotId: snap.snapshotId, budget: 0.004, parallelism: 1, refactor: false })).status).toBe(202);
    const waiting = await until('the budget gate', analysisId, (s) => s.state?.stage === 'awaiting-budget-approval' || closed(s));
    expect(waiting.state.stage).toBe('awaiting-budget-approval');
    expect(waiting.state.files.analysed).toBeGreaterThan(0);
    expect(waiting.state.files.analysed).toBeLessThan(8);
    expect(waiting.state.cost.spent).toBeLessThanOrEqual(0.004);
    const minimum = waiting.state.pendingBudgetRequest!.minimumBudget;

    const tooSmall = await api('POST', `/analyses/${analysisId}/budget`, { approved: true, newBudget: minimum / 2 });
    expect(tooSmall.status).toBe(409);
    expect(tooSmall.body.error).toMatch(/does not cover the next file/);
    const approve = { approved: true, newBudget: 0.5, decidedBy: 'e2e' };
    const ok = await api('POST', `/analyses/${analysisId}/budget`, approve);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ approved: true, budget: 0.5, duplicate: false });
    const again = await api('POST', `/analyses/${analysisId}/budget`, approve);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ approved: true, duplicate: true });

    const final = await until('completion', analysisId, closed);
    expect(final.status).toBe('COMPLETED');
    expect(final.result).toMatchObject({ stoppedByBudget: false, files: { analysed: 8 }, cost: { budget: 0.5 } });
    expect(final.state.budgetDecisions).toHaveLength(1);
  });

  it('a refused budget ends the analysis COMPLETED with the partial result flagged', async () => {
    const snap = await upload();
    const analysisId = `e2e-refuse-${randomUUID()}`;
    expect((await api('POST', '/analyses', { analysisId, snapshotId: snap.snapshotId, budget: 0.004, parallelism: 1 })).status).toBe(202);
    await until('the budget gate', analysisId, (s) => s.state?.stage === 'awaiting-budget-approval');
    expect((await api('POST', `/analyses/${analysisId}/budget`, { approved: false, decidedBy: 'e2e' })).status).toBe(200);
    const final = await until('completion', analysisId, closed);
    expect(final.status).toBe('COMPLETED');
    expect(final.result.status).toBe('stopped-by-budget');
    expect(final.result.stoppedByBudget).toBe(true);
    expect(final.result.files.notAnalysed.length).toBeGreaterThan(0);
    expect(final.result.findings.length).toBeGreaterThan(0);
    expect(final.result.batches).toEqual([]);
  });

  it('waits for plan approval before refactoring; a plan decision when none is pending is a 409', async () => {
    const snap = await upload();
    const analysisId = `e2e-plan-${randomUUID()}`;
    expect((await api('POST', '/analyses', { analysisId, snapshotId: snap.snapshotId, budget: 10, requirePlanApproval: true })).status).toBe(202);
    const early = await api('POST', `/analyses/${analysisId}/plan`, { approved: true, approvedBy: 'too-early' });
    expect(early.status).toBe(409);
    const waiting = await until('the plan', analysisId, (s) => s.state?.stage === 'awaiting-plan-approval' || closed(s));
    expect(waiting.state.stage).toBe('awaiting-plan-approval');
    expect(waiting.state.plan!.batches.length).toBeGreaterThan(0);
    expect(waiting.state.batches.every((b: BatchState) => b.status === 'pending')).toBe(true);
    const decided = await api('POST', `/analyses/${analysisId}/plan`, { approved: true, approvedBy: 'lead' }, { 'Idempotency-Key': `plan-${analysisId}` });
    expect(decided.status).toBe(200);
    expect(decided.body.duplicate).toBe(false);
    const final = await until('completion', analysisId, closed);
    expect(final.result.planDecision).toMatchObject({ approved: true, approvedBy: 'lead' });
    expect(final.result.batches.some((b: BatchState) => b.status === 'applied')).toBe(true);
  });

  it('multi-agent: specialists in parallel, one failing (its deadline) while the others keep their results', async () => {
    const snap = await upload();
    const analysisId = `e2e-multi-${randomUUID()}`;
    const start = await api('POST', '/analyses', {
      analysisId,
      snapshotId: snap.snapshotId,
      budget: 9,
      mode: 'multi-agent',
      refactor: false,
      specialists: [{ name: 'security' }, { name: 'performance', timeoutSeconds: 1 }, { name: 'architecture' }],
    });
    expect(start.status).toBe(202);
    const final = await until('completion', analysisId, closed);
    expect(final.status).toBe('COMPLETED');
    const sp = final.result.specialists!;
    expect(sp.performance!.status).toBe('failed');
    expect(sp.security!.status).toBe('completed');
    expect(sp.architecture!.status).toBe('completed');
    expect(sp.security!.budget).toBe(3);
    expect(sp.security!.result!.findings.every((f: Finding) => f.category === 'security')).toBe(true);
    expect(final.result.findings.some((f: Finding) => f.rule === 'sql-injection')).toBe(true);
    expect(final.result.findings.some((f: Finding) => f.rule === 'unused-export')).toBe(true);
    expect(final.result.findings.some((f: Finding) => f.category === 'performance')).toBe(false);
    // The budget endpoint is not for a coordinator.
    expect((await api('POST', `/analyses/${analysisId}/budget`, { approved: false })).status).toBe(409);
  });

  it('answers 400 for invalid bodies, 404 for unknown ids, 409 for a reused id', async () => {
    const bad = await api('POST', '/analyses', { budget: -1, mode: 'solo', snapshotId: 'x', snapshot: { prefix: 'p' }, extra: 1 });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors!.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['budget', 'mode', 'extra']));
    expect((await api('POST', '/analyses', { budget: 1 })).body.errors!.map((e) => e.field)).toContain('snapshot');
    expect((await api('GET', '/analyses/no-such-analysis')).status).toBe(404);
    expect((await api('POST', '/analyses/no-such-analysis/budget', { approved: false })).status).toBe(404);
    expect((await api('POST', '/analyses/no-such-analysis/cancel')).status).toBe(404);
    const snap = await upload();
    const analysisId = `e2e-dup-${randomUUID()}`;
    expect((await api('POST', '/analyses', { analysisId, snapshotId: snap.snapshotId, budget: 0.001, requirePlanApproval: true })).status).toBe(202);
    expect((await api('POST', '/analyses', { analysisId, snapshotId: snap.snapshotId, budget: 5 })).status).toBe(409);
    const cancel = await api('POST', `/analyses/${analysisId}/cancel`);
    expect(cancel.status).toBe(202);
    const final = await until('cancellation', analysisId, closed);
    expect(final.status).toBe('CANCELLED');
  });
});

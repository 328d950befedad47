/**
 * The codebase analysis, driven over HTTP: `npm run demo -- analysis`.
 *
 *  1. upload test/testdata/sample-repo as a snapshot (S3, with a manifest of paths + SHA-256 + sizes);
 *  2. start an analysis whose budget runs out part-way, with plan approval required;
 *  3. watch files land in the progress; at the budget gate, approve a larger budget (and send it again:
 *     the repeat is recognised);
 *  4. approve the refactoring plan; watch the batches apply or roll back;
 *  5. print the findings by rule, the strategy switches and the batches.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { localAwsClientConfig } from '../../infra/local/config';
import { readStackOutputs } from '../../infra/local/deploy';
import { uploadSnapshot } from '../upload-snapshot';
import type { AnalysisProgress, AnalysisResult } from '../../workflows/analysis/types';

interface StatusBody {
  status: string;
  state?: AnalysisProgress;
  result?: AnalysisResult;
  error?: { message?: string };
}

function curl(method: string, url: string, body?: unknown): string {
  return `curl -s -X ${method} '${url}'${body !== undefined ? ` -H 'content-type: application/json' -d '${JSON.stringify(body)}'` : ''}`;
}

async function call<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  console.log(`  $ ${curl(method, url, body)}`);
  const res = await fetch(url, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

export async function runAnalysisDemo(apiUrl: string): Promise<void> {
  const api = apiUrl.replace(/\/$/, '');
  const outputs = readStackOutputs() as unknown as Record<string, string>;
  const repo = join(__dirname, '..', '..', 'test', 'testdata', 'sample-repo');

  console.log('\n1. Upload the sample repository as a snapshot');
  console.log(`  $ npm run upload-snapshot -- test/testdata/sample-repo`);
  const snap = await uploadSnapshot({ source: repo, bucket: outputs.AnalysisSnapshotBucketName!, s3: new S3Client({ ...localAwsClientConfig, forcePathStyle: true }) });
  console.log(`  → ${snap.files} files, snapshot ${snap.snapshotId} at s3://${snap.bucket}/${snap.prefix}/manifest.json`);

  console.log('\n2. Start an analysis with a budget too small for the whole pass, and plan approval required');
  const analysisId = `demo-${Date.now()}`;
  const start = await call<Record<string, unknown>>('POST', `${api}/analyses`, { analysisId, snapshotId: snap.snapshotId, budget: 0.005, parallelism: 2, requirePlanApproval: true, batchSize: 1 });
  console.log(`  → ${start.status} ${JSON.stringify(start.body)}`);

  const statusUrl = `${api}/analyses/${analysisId}`;
  let lastAnalysed = -1;
  const answered = new Set<string>();
  console.log(`\n3. Poll the progress: ${curl('GET', statusUrl)}`);
  for (;;) {
    const res = await fetch(statusUrl);
    const s = (await res.json()) as StatusBody;
    const p = s.state;
    if (p && p.files.analysed !== lastAnalysed) {
      lastAnalysed = p.files.analysed;
      console.log(`  stage ${p.stage}: ${p.files.analysed}/${p.files.total} files, cost ${p.cost.spent} of ${p.cost.budget}, findings ${JSON.stringify(p.findingsBySeverity)}`);
    }
    if (p?.stage === 'awaiting-budget-approval' && p.pendingBudgetRequest && !answered.has(p.pendingBudgetRequest.requestedAt)) {
      answered.add(p.pendingBudgetRequest.requestedAt);
      console.log(`\n   The next file (${p.pendingBudgetRequest?.nextFile}) would exceed the budget. Approve 0.5:`);
      const ok = await call<Record<string, unknown>>('POST', `${statusUrl}/budget`, { approved: true, newBudget: 0.5, decidedBy: 'demo' });
      console.log(`  → ${ok.status} ${JSON.stringify(ok.body)}`);
      const again = await call<Record<string, unknown>>('POST', `${statusUrl}/budget`, { approved: true, newBudget: 0.5, decidedBy: 'demo' });
      console.log(`  → ${again.status} ${JSON.stringify(again.body)}  (the same request again: duplicate, nothing changed)`);
      continue;
    }
    if (p?.stage === 'awaiting-plan-approval' && !answered.has('plan')) {
      answered.add('plan');
      console.log(`\n4. The refactoring plan: ${p.plan?.summary}`);
      for (const b of p.plan?.batches ?? []) console.log(`   - ${b.id}: ${b.transform} on ${b.files.map((f) => f.path).join(', ')}`);
      const ok = await call<Record<string, unknown>>('POST', `${statusUrl}/plan`, { approved: true, approvedBy: 'demo' });
      console.log(`  → ${ok.status} ${JSON.stringify(ok.body)}`);
      continue;
    }
    if (s.status !== 'RUNNING') {
      if (!s.result) throw new Error(`the analysis ended ${s.status}: ${s.error?.message ?? ''}`);
      const r = s.result;
      console.log(`\n5. ${s.status}: ${r.files.analysed}/${r.files.total} files (${r.files.deep} deep), cost ${r.cost.spent} of ${r.cost.budget}`);
      const byRule = new Map<string, number>();
      for (const f of r.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
      console.log(`   findings by severity ${JSON.stringify(r.findingsBySeverity)}; by rule ${JSON.stringify(Object.fromEntries(byRule))}`);
      for (const f of r.findings.filter((x) => x.severity === 'critical' || x.severity === 'high')) console.log(`   ${f.severity.padEnd(8)} ${f.file}:${f.line} ${f.message}`);
      console.log('   strategy switches:');
      for (const sw of r.strategySwitches) console.log(`   - ${sw.from} → ${sw.to}: ${sw.reason}`);
      console.log('   batches:');
      for (const b of r.batches) console.log(`   - ${b.id} ${b.status}${b.reason ? ` (${b.reason})` : ''}`);
      console.log(`\n   Audit log: npm run audit -- verify analysis-${analysisId}`);
      return;
    }
    await sleep(500);
  }
}

if (require.main === module) {
  runAnalysisDemo(readStackOutputs().ApiUrl).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { upLocalCloud } from '../infra/local/cloud';
import { temporalNamespace, temporalUiUrl } from '../infra/local/config';
import { repoRoot } from '../infra/local/paths';
import { runMain } from './run-main';
import { pollJob, startJob } from './client';

/**
 * `npm start`: brings up the local cloud (reusing whatever is already up), deploys the stack, starts
 * the worker, and runs the main job through the front door: a POST to API Gateway that a Lambda
 * turns into a Temporal workflow whose step runs in another Lambda. Then says where to look.
 */
runMain(async () => {
  const started = Date.now();
  const outputs = await upLocalCloud();
  if (outputs === undefined) throw new Error('the stack was not deployed');

  console.log('▸ Running the main job: word statistics of README.md, through API Gateway → Temporal → Lambda');
  const text = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const accepted = await startJob(outputs.ApiUrl, { text });
  console.log(`  POST ${outputs.ApiUrl}jobs → 202, workflow ${accepted.workflowId}`);
  const done = await pollJob(accepted.statusUrl, { timeoutMs: 120000 });
  if (done.status !== 'COMPLETED') throw new Error(`the job ended ${done.status}: ${JSON.stringify(done.error)}`);
  const result = done.result!;
  const top = result.topWords.slice(0, 5).map((w) => `${w.word}×${w.count}`).join(', ');
  console.log(`  ${done.status}: ${result.words} words (${result.distinctWords} distinct), top: ${top}`);
  console.log(`  report: s3://${result.report.bucket}/${result.report.key}   sha256 ${result.sha256.slice(0, 16)}…`);

  const workflowUrl = `${temporalUiUrl}/namespaces/${temporalNamespace}/workflows/${encodeURIComponent(accepted.workflowId)}`;
  console.log(`
Ready in ${((Date.now() - started) / 1000).toFixed(0)} s. Where to look next:
  Temporal UI      ${temporalUiUrl}
  this workflow    ${workflowUrl}
  API base URL     ${outputs.ApiUrl}
  job status       curl -s ${accepted.statusUrl}
  start a job      curl -s -X POST ${outputs.ApiUrl}jobs -H 'content-type: application/json' -d '{"text":"to be or not to be"}'
  logs             npm run logs -- --workflow ${accepted.workflowId}
  audit trail      npm run audit -- verify ${accepted.workflowId}
  API document     curl -s ${outputs.ApiUrl}openapi.json
  status           npm run local:status
  stop everything  npm stop

The three example workflows, each driven over HTTP with the curl commands printed as it goes
(README, "The example workflows"):
  npm run demo -- order      order saga: reserve → charge → approval → ship → delivery; compensation on failure
  npm run demo -- training   ML training in Lambda: checkpoints in S3, a researcher's decision, resume after a crash
  npm run demo -- analysis   codebase analysis agent: budget gate, plan approval, refactoring batches with rollback`);
});

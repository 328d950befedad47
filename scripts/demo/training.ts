/**
 * The training workflow, driven over HTTP: `npm run demo -- training`.
 *
 *  1. start a training that pauses for a review every 2 epochs;
 *  2. at the first review, adjust the learning rate (applied from the next epoch); send it twice
 *     to show the repeat is recognised;
 *  3. let it finish, and list its checkpoints in S3;
 *  4. crash a second training of another model part-way (fault injection), resume it from its
 *     latest checkpoint, and compare its final weights with an uninterrupted run's.
 *
 * Each request is printed with its curl equivalent.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckpointSummary, TrainingResult, TrainingState } from '../../workflows/training/types';

interface Status {
  trainingId: string;
  status: string;
  state?: TrainingState;
  result?: TrainingResult;
  error?: { type?: string; message?: string };
}

const url = (apiUrl: string, path: string) => new URL(path, apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).toString();

function curl(method: string, target: string, body?: unknown, headers: Record<string, string> = {}): string {
  const h = Object.entries(headers).map(([k, v]) => ` -H '${k}: ${v}'`).join('');
  return body === undefined ? `curl -s${method === 'GET' ? '' : ` -X ${method}`}${h} '${target}'` : `curl -s -X ${method} '${target}' -H 'content-type: application/json'${h} -d '${JSON.stringify(body)}'`;
}

async function call<T = Record<string, unknown>>(apiUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, quiet = false): Promise<{ status: number; body: T }> {
  const target = url(apiUrl, path);
  if (!quiet) console.log(`\n$ ${curl(method, target, body, headers)}`);
  const res = await fetch(target, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = (await res.json()) as T;
  if (!quiet) console.log(`→ ${res.status}`);
  return { status: res.status, body: parsed };
}

async function waitFor(apiUrl: string, id: string, done: (s: Status) => boolean, what: string): Promise<Status> {
  console.log(`  … polling GET /trainings/${id} until ${what}`);
  let shown = 0;
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(1000)) {
    const { body } = await call<Status>(apiUrl, 'GET', `trainings/${id}`, undefined, {}, true);
    for (const l of body.state?.losses.slice(shown) ?? []) console.log(`    epoch ${l.epoch}: loss ${l.loss.toFixed(4)} (lr ${l.learningRate}, batch ${l.batchSize}) order root ${l.sampleMerkleRoot.slice(0, 16)}…`);
    shown = body.state?.losses.length ?? shown;
    if (done(body)) return body;
  }
  throw new Error(`training ${id} did not reach "${what}" in 3 minutes`);
}

const show = (label: string, value: unknown) => console.log(`  ${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

export async function runTrainingDemo(apiUrl: string): Promise<void> {
  const suffix = randomUUID().slice(0, 8);
  const dataset = { kind: 'gaussian-clusters', classes: 3, samplesPerClass: 200, features: 4, seed: 7 };
  const hyperparameters = { learningRate: 0.05, batchSize: 16, momentum: 0.9 };

  console.log('\n== 1. Start a training with a review every 2 epochs ==');
  const trainingId = `demo-${suffix}`;
  const start = await call(apiUrl, 'POST', 'trainings', { trainingId, modelId: `demo-model-${suffix}`, dataset, epochs: 6, hyperparameters, seed: 0, checkpointEvery: 2, reviewEvery: 2, reviewTimeout: '1h', reviewTimeoutAction: 'continue' });
  show('answer', start.body);

  console.log('\n== 2. At the review, adjust the learning rate (applied from the next epoch) ==');
  const waiting = await waitFor(apiUrl, trainingId, (s) => s.state?.status === 'AWAITING_DECISION' || s.status !== 'RUNNING', 'it awaits a decision');
  show('state', { status: waiting.state?.status, epoch: waiting.state?.epoch, accuracy: waiting.state?.accuracy, review: waiting.state?.review });
  const decision = { action: 'adjust', hyperparameters: { learningRate: 0.01 }, reason: 'loss is flattening; take smaller steps' };
  const key = { 'Idempotency-Key': `demo-adjust-${suffix}` };
  const first = await call(apiUrl, 'POST', `trainings/${trainingId}/decision`, decision, key);
  show('decision', first.body);
  console.log('  (the same request again: recognised as a repeat, nothing changes)');
  const again = await call<{ duplicate: boolean }>(apiUrl, 'POST', `trainings/${trainingId}/decision`, decision, key);
  show('duplicate', again.body.duplicate);
  const review2 = await waitFor(apiUrl, trainingId, (s) => (s.state?.status === 'AWAITING_DECISION' && s.state.epoch === 4) || s.status !== 'RUNNING', 'the second review');
  show('review', review2.state?.review);
  await call(apiUrl, 'POST', `trainings/${trainingId}/decision`, { action: 'continue' });

  console.log('\n== 3. Completed: result and checkpoints in S3 ==');
  const done = await waitFor(apiUrl, trainingId, (s) => s.status !== 'RUNNING', 'it completes');
  show('status', done.status);
  show('result', { epochs: done.result?.epochs, finalLoss: done.result?.finalLoss, bestLoss: done.result?.bestLoss, accuracy: done.result?.accuracy, weightsSha256: done.result?.weightsSha256 });
  const cps = await call<{ checkpoints: CheckpointSummary[] }>(apiUrl, 'GET', `trainings/${trainingId}/checkpoints`);
  for (const c of cps.body.checkpoints) console.log(`  checkpoint ${c.checkpointId} epoch ${c.epoch} loss ${c.metrics.loss?.toFixed(4)} accuracy ${c.metrics.accuracy} sample root ${c.sampleMerkleRoot?.slice(0, 16)}…`);
  console.log(`  audit log: ${curl('GET', url(apiUrl, `audit/training-${trainingId}`))}   (npm run audit -- verify training-${trainingId})`);

  console.log('\n== 4. Crash and resume: bit-for-bit the same weights as an uninterrupted run ==');
  const common = { dataset, epochs: 5, hyperparameters, seed: 42, checkpointEvery: 2 };
  const straightId = `demo-straight-${suffix}`;
  const crashId = `demo-crash-${suffix}`;
  const modelId = `demo-resumable-${suffix}`;
  await call(apiUrl, 'POST', 'trainings', { ...common, trainingId: straightId, modelId: `demo-reference-${suffix}` });
  await call(apiUrl, 'POST', 'trainings', { ...common, trainingId: crashId, modelId, failAtEpoch: 4 });
  const straight = await waitFor(apiUrl, straightId, (s) => s.status !== 'RUNNING', 'the uninterrupted run completes');
  const crashed = await waitFor(apiUrl, crashId, (s) => s.status !== 'RUNNING', 'the crashing run ends');
  show('crashed run', { status: crashed.status, error: crashed.error?.message, checkpoints: crashed.state?.checkpoints.map((c) => c.epoch) });
  const resumeId = `demo-resume-${suffix}`;
  await call(apiUrl, 'POST', 'trainings', { trainingId: resumeId, modelId, dataset, epochs: 5, checkpointEvery: 2, resumeFrom: 'latest' });
  const resumed = await waitFor(apiUrl, resumeId, (s) => s.status !== 'RUNNING', 'the resumed run completes');
  show('resumed from', resumed.result?.resumedFrom);
  show('uninterrupted weights SHA-256', straight.result?.weightsSha256 ?? '?');
  show('resumed       weights SHA-256', resumed.result?.weightsSha256 ?? '?');
  const same = straight.result?.weightsSha256 !== undefined && straight.result.weightsSha256 === resumed.result?.weightsSha256;
  console.log(same ? '  ✔ identical' : '  ✘ DIFFERENT');
  if (!same) throw new Error('the resumed run did not end with the same weights');
}

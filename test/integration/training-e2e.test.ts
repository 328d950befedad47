import { randomUUID } from 'node:crypto';
import { CheckpointStore } from '../../runtime/checkpoints';
import { decodeState, weightsSha256 } from '../../lambdas/shared/ml/state-codec';
import { CHECKPOINT_PREFIX } from '../../lambdas/shared/ml/prefixes';
import type { CheckpointSummary, TrainingResult, TrainingState } from '../../workflows/training/types';
import { s3, stack } from '../support/stack';

/**
 * The training workflow end to end over HTTP: API Gateway → API Lambda → Temporal → worker →
 * train-epoch / evaluate-model / training-data Lambdas → S3 (datasets, states, checkpoints) and
 * the audit log in DynamoDB. Nothing is faked.
 */
interface Status {
  trainingId: string;
  workflowId: string;
  status: string;
  state?: TrainingState;
  result?: TrainingResult;
  error?: { type?: string; message?: string };
}

const api = () => stack().ApiUrl;
const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(new URL(path, api()), { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
};
const getStatus = async (id: string) => (await call('GET', `trainings/${id}`)).body as unknown as Status;

async function waitFor(id: string, done: (s: Status) => boolean, timeoutMs = 150_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await getStatus(id);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`training ${id} did not get there in time; last: ${JSON.stringify(s).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
const closed = (s: Status) => s.status !== 'RUNNING';

const hp = { learningRate: 0.05, batchSize: 16 };
const dataset = { samplesPerClass: 100, seed: 3 };

/** The SHA-256 of the weights, recomputed by this test from the checkpoint blob in S3 (verified by the store). */
async function weightsOfCheckpoint(modelId: string, checkpointId: string): Promise<string> {
  const store = new CheckpointStore({ s3: s3(), bucket: stack().DataBucketName, prefix: CHECKPOINT_PREFIX });
  return weightsSha256(decodeState((await store.load(modelId, checkpointId)).body));
}

describe('training over HTTP on the local cloud', () => {
  it('trains to completion across continue-as-new: the loss falls, accuracy is reported, checkpoints are listed and in S3, the audit log has every event', async () => {
    const trainingId = `e2e-${randomUUID()}`;
    const modelId = `model-${randomUUID()}`;
    const started = await call('POST', 'trainings', { trainingId, modelId, dataset, epochs: 6, hyperparameters: hp, seed: 0, checkpointEvery: 2, maxEpochsPerRun: 4 });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ trainingId, workflowId: `training-${trainingId}`, status: 'RUNNING' });
    expect(started.headers.get('location')).toBe(started.body.statusUrl);

    const s = await waitFor(trainingId, closed);
    expect(s.status).toBe('COMPLETED');
    const state = s.state!;
    // the GET followed the chain to the second run (continue-as-new after 4 epochs)
    expect(state.run).toBe(2);
    expect(state.seed).toBe(0);
    expect(state.losses.map((l) => l.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(state.losses[5]!.loss).toBeLessThan(state.losses[0]!.loss * 0.8);
    expect(s.result).toMatchObject({ status: 'COMPLETED', epochs: 6, modelId });
    expect(s.result!.accuracy).toBeGreaterThan(0.8);
    expect(state.evaluations.map((e) => e.epoch)).toEqual([2, 4, 6]);

    const list = await call('GET', `trainings/${trainingId}/checkpoints`);
    expect(list.status).toBe(200);
    const checkpoints = list.body.checkpoints as CheckpointSummary[];
    expect(checkpoints.map((c) => c.epoch)).toEqual([2, 4, 6]);
    for (const [i, c] of checkpoints.entries()) {
      expect(c).toMatchObject({ modelId, trainingId, checkpointId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(c.sampleMerkleRoot).toBe(state.losses[c.epoch - 1]!.sampleMerkleRoot);
      expect(c.metrics.accuracy).toBe(state.evaluations[i]!.accuracy);
      expect(c.parent).toBe(i === 0 ? null : checkpoints[i - 1]!.checkpointId);
      expect(await weightsOfCheckpoint(modelId, c.checkpointId)).toBe(c.weightsSha256);
    }
    expect(s.result!.weightsSha256).toBe(checkpoints[2]!.weightsSha256);
    // every epoch drew a different order
    expect(new Set(state.losses.map((l) => l.sampleMerkleRoot)).size).toBe(6);

    const audit = await call('GET', `audit/training-${trainingId}?limit=100`);
    const events = (audit.body.entries as Array<{ event: { type: string; step?: string; epoch?: number; sampleMerkleRoot?: string } }>).map((e) => e.event);
    // One naming scheme (workflows/lib/audit.ts), across the continue-as-new runs.
    expect(events.filter((e) => e.type !== 'training.step-completed').map((e) => e.type)).toEqual(['training.started', 'training.checkpoint-saved', 'training.checkpoint-saved', 'training.checkpoint-saved', 'training.completed']);
    expect(events.filter((e) => e.type === 'training.step-completed').map((e) => e.step)).toEqual(['prepareDataset', ...[1, 2, 3].flatMap(() => ['trainEpoch', 'trainEpoch', 'evaluateModel'])]);
    expect(events.find((e) => e.type === 'training.checkpoint-saved')).toMatchObject({ epoch: 2, sampleMerkleRoot: checkpoints[0]!.sampleMerkleRoot });
  });

  it('applies an adjust decision from the next epoch; a repeat is a duplicate; a decision when none is awaited is 409', async () => {
    const trainingId = `e2e-${randomUUID()}`;
    expect((await call('POST', 'trainings', { trainingId, modelId: `model-${randomUUID()}`, dataset, epochs: 4, hyperparameters: hp, checkpointEvery: 4, reviewEvery: 2 })).status).toBe(202);
    const waiting = await waitFor(trainingId, (s) => s.state?.status === 'AWAITING_DECISION' || closed(s));
    expect(waiting.state).toMatchObject({ status: 'AWAITING_DECISION', epoch: 2, review: { epoch: 2, timeoutAction: 'continue' } });

    const decision = { action: 'adjust', hyperparameters: { learningRate: 0.01, batchSize: 32 }, reason: 'finer steps' };
    const key = { 'Idempotency-Key': `adj-${randomUUID()}` };
    const first = await call('POST', `trainings/${trainingId}/decision`, decision, key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: true, duplicate: false, decision: { action: 'adjust', appliedFromEpoch: 3, hyperparameters: { learningRate: 0.01, batchSize: 32, momentum: 0.9 } } });
    const again = await call('POST', `trainings/${trainingId}/decision`, decision, key);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, decision: first.body.decision as object });

    const done = await waitFor(trainingId, closed);
    expect(done.status).toBe('COMPLETED');
    expect(done.state!.losses.map((l) => [l.epoch, l.learningRate, l.batchSize])).toEqual([
      [1, 0.05, 16],
      [2, 0.05, 16],
      [3, 0.01, 32],
      [4, 0.01, 32],
    ]);
    expect(done.state!.decisions).toHaveLength(1);
    const late = await call('POST', `trainings/${trainingId}/decision`, { action: 'continue' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatch(/completed/);
  });

  it('resumes a crashed training from its latest checkpoint and ends with weights bit-for-bit identical to a straight run', async () => {
    const common = { dataset, epochs: 5, hyperparameters: hp, seed: 11, checkpointEvery: 2 };
    const straightId = `e2e-straight-${randomUUID()}`;
    const crashId = `e2e-crash-${randomUUID()}`;
    const modelStraight = `model-${randomUUID()}`;
    const modelCrash = `model-${randomUUID()}`;
    expect((await call('POST', 'trainings', { ...common, trainingId: straightId, modelId: modelStraight })).status).toBe(202);
    expect((await call('POST', 'trainings', { ...common, trainingId: crashId, modelId: modelCrash, failAtEpoch: 4 })).status).toBe(202);

    const straight = await waitFor(straightId, closed);
    const crashed = await waitFor(crashId, closed);
    expect(straight.status).toBe('COMPLETED');
    expect(crashed.status).toBe('FAILED');
    expect(crashed.error?.message).toMatch(/injected fault at epoch 4/);
    expect(crashed.state).toMatchObject({ status: 'FAILED', epoch: 3 });
    expect(crashed.state!.checkpoints.map((c) => c.epoch)).toEqual([2]);

    // resume: model id and dataset only; seed and hyperparameters come from the checkpoint
    const resumeId = `e2e-resume-${randomUUID()}`;
    const resumed0 = await call('POST', 'trainings', { trainingId: resumeId, modelId: modelCrash, dataset, epochs: 5, checkpointEvery: 2, resumeFrom: 'latest' });
    expect(resumed0.status).toBe(202);
    const resumed = await waitFor(resumeId, closed);
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.result!.resumedFrom).toEqual({ checkpointId: crashed.state!.checkpoints[0]!.checkpointId, epoch: 2 });
    expect(resumed.state!.losses.map((l) => l.epoch)).toEqual([3, 4, 5]);
    expect(resumed.state!.seed).toBe(11);
    // the same sample orders as the straight run, epoch for epoch
    expect(resumed.state!.losses.map((l) => l.sampleMerkleRoot)).toEqual(straight.state!.losses.slice(2).map((l) => l.sampleMerkleRoot));
    expect(resumed.state!.losses.map((l) => l.loss)).toEqual(straight.state!.losses.slice(2).map((l) => l.loss));

    const a = await weightsOfCheckpoint(modelStraight, straight.result!.lastCheckpointId!);
    const b = await weightsOfCheckpoint(modelCrash, resumed.result!.lastCheckpointId!);
    expect(b).toBe(a);
    expect(resumed.result!.weightsSha256).toBe(straight.result!.weightsSha256);

    // the model's checkpoint list shows the lineage: epoch 2 from the crashed run, 4 and 5 from the resumed one
    const list = await call('GET', `models/${modelCrash}/checkpoints`);
    const cps = list.body.checkpoints as CheckpointSummary[];
    expect(cps.map((c) => [c.epoch, c.trainingId])).toEqual([
      [2, crashId],
      [4, resumeId],
      [5, resumeId],
    ]);
    expect(cps[1]!.parent).toBe(cps[0]!.checkpointId);
  });

  it('resuming a model without checkpoints fails the training with CheckpointNotFound', async () => {
    const trainingId = `e2e-${randomUUID()}`;
    expect((await call('POST', 'trainings', { trainingId, modelId: `empty-${randomUUID()}`, dataset, epochs: 3, checkpointEvery: 1, resumeFrom: 'latest' })).status).toBe(202);
    const s = await waitFor(trainingId, closed);
    expect(s.status).toBe('FAILED');
    expect(s.error).toMatchObject({ type: 'CheckpointNotFound' });
  });

  describe('HTTP rules', () => {
    it('409 for a training id already used, without starting a second workflow', async () => {
      const trainingId = `e2e-${randomUUID()}`;
      const body = { trainingId, modelId: 'm', dataset, epochs: 1, hyperparameters: hp, checkpointEvery: 1 };
      expect((await call('POST', 'trainings', body)).status).toBe(202);
      const dup = await call('POST', 'trainings', body);
      expect(dup.status).toBe(409);
      expect(dup.body.error).toMatch(/already exists/);
      await waitFor(trainingId, closed);
    });

    it('404 for an unknown training, on status, decision and checkpoints', async () => {
      expect((await call('GET', 'trainings/no-such-training')).status).toBe(404);
      expect((await call('POST', 'trainings/no-such-training/decision', { action: 'continue' })).status).toBe(404);
      expect((await call('GET', 'trainings/no-such-training/checkpoints')).status).toBe(404);
    });

    it('400 naming each invalid field', async () => {
      const res = await call('POST', 'trainings', { modelId: 'bad id!', dataset: { kind: 'cubes' }, epochs: 0, checkpointEvery: 1, reviewTimeout: 'soon', extra: true });
      expect(res.status).toBe(400);
      const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
      expect(fields).toEqual(['dataset.kind', 'epochs', 'extra', 'hyperparameters', 'modelId', 'reviewTimeout']);
      const decision = await call('POST', `trainings/anything/decision`, { action: 'pause' });
      expect(decision.status).toBe(400);
      expect(decision.body.errors).toEqual([{ field: 'action', message: 'must be "continue", "adjust" or "stop"' }]);
    });
  });
});

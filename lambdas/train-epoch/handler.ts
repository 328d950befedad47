import { functionHandler } from '../../runtime/steps/handler';
import { s3 } from '../shared/aws';
import { initModel, trainEpoch } from '../shared/ml/model';
import { Purpose, permutation, stream } from '../shared/ml/rng';
import { sampleOrderRoot } from '../shared/ml/sample-merkle';
import { decodeState, encodeState, weightsSha256 } from '../shared/ml/state-codec';
import { getState, loadTable, putState, trainingBucket } from '../shared/ml/storage';
import { trainEpoch as trainEpochFunction, type TrainEpochResult } from './steps';

/** Thrown on the epoch named by the request's `failAtEpoch`, on every attempt (retryable, so retries run out). */
export class InjectedFault extends Error {
  override name = 'InjectedFault';
}

export class InvalidTrainingInput extends Error {
  override name = 'InvalidTrainingInput';
}

/**
 * One epoch per invocation: load the model state from S3 (or initialise it from the seed on
 * epoch 1), draw the epoch's order from stream(seed, Shuffle, epoch), run minibatch SGD with
 * momentum over the training split, and store the new state content-addressed. The result is a
 * pure function of the input, so a retry writes the same state object and returns the same values.
 */
export const handler = functionHandler(trainEpochFunction, {
  async train(input, { meta, log }) {
    const started = Date.now();
    const bucket = trainingBucket();
    const hp = input.hyperparameters;
    if (!(hp.learningRate > 0) || !Number.isInteger(hp.batchSize) || hp.batchSize < 1) {
      throw new InvalidTrainingInput(`invalid hyperparameters ${JSON.stringify(hp)}`);
    }
    if (input.failAtEpoch !== undefined && input.failAtEpoch === input.epoch) {
      log.warn('injected fault', { trainingId: input.trainingId, epoch: input.epoch });
      throw new InjectedFault(`injected fault at epoch ${input.epoch} (failAtEpoch), attempt ${meta.attempt}`);
    }
    const data = await loadTable(s3, input.dataset.bucket, input.dataset.trainKey, input.dataset.trainSha256);
    const model =
      input.state === null
        ? initModel({ inputs: input.dataset.features, hidden: input.hiddenUnits, classes: input.dataset.classes }, input.seed)
        : decodeState(await getState(s3, bucket, input.state));
    if (model.shape.inputs !== data.features || model.shape.classes !== input.dataset.classes) {
      throw new InvalidTrainingInput(`the model (${model.shape.inputs} inputs, ${model.shape.classes} classes) does not fit dataset ${input.dataset.datasetId}`);
    }

    const rng = stream(input.seed, Purpose.Shuffle, input.epoch);
    const order = permutation(data.labels.length, rng);
    const ids = Array.from(order, (i) => data.ids[i] as string);
    const stats = trainEpoch(model, data, order, hp);
    if (!Number.isFinite(stats.loss)) throw new InvalidTrainingInput(`the loss diverged at epoch ${input.epoch} (${stats.loss}); lower the learning rate`);
    const state = await putState(s3, bucket, encodeState(model));
    const result: TrainEpochResult = {
      epoch: input.epoch,
      state,
      weightsSha256: weightsSha256(model),
      loss: stats.loss,
      samples: stats.samples,
      batches: stats.batches,
      sampleMerkleRoot: sampleOrderRoot(ids),
      firstSampleIds: ids.slice(0, 5),
      shuffleState: rng.state,
      model: { ...model.shape },
      durationMs: Date.now() - started,
    };
    log.info('epoch trained', { trainingId: input.trainingId, epoch: input.epoch, loss: stats.loss, samples: stats.samples, sampleMerkleRoot: result.sampleMerkleRoot, weightsSha256: result.weightsSha256 });
    return result;
  },
});

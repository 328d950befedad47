import { functionHandler } from '../../runtime/steps/handler';
import { s3 } from '../shared/aws';
import { evaluate } from '../shared/ml/model';
import { decodeState } from '../shared/ml/state-codec';
import { getState, loadTable, trainingBucket } from '../shared/ml/storage';
import { evaluateModel } from './steps';

/** Accuracy and mean cross-entropy of a model state on a split of its dataset (the held-out one by default). */
export const handler = functionHandler(evaluateModel, {
  async evaluate(input, { log }) {
    const split = input.split ?? 'test';
    const d = input.dataset;
    const data = await loadTable(s3, d.bucket, split === 'test' ? d.testKey : d.trainKey, split === 'test' ? d.testSha256 : d.trainSha256);
    const model = decodeState(await getState(s3, trainingBucket(), input.state));
    const e = evaluate(model, data);
    log.info('model evaluated', { datasetId: d.datasetId, split, accuracy: e.accuracy, loss: e.loss, samples: e.samples });
    return { split, ...e };
  },
});

import { evaluateModel as evaluateModelFunction } from '../../lambdas/evaluate-model/steps';
import { trainEpoch as trainEpochFunction } from '../../lambdas/train-epoch/steps';
import { trainingData } from '../../lambdas/training-data/steps';
import { step, type StepOptions } from '../../runtime/steps/workflow';
import { TRAINING_DEFAULTS } from './defaults';

/** The training workflow's Lambda steps; their errors (and which a retry cannot fix) come from the declarations. */

export const trainEpoch = step(trainEpochFunction.steps.train, {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: TRAINING_DEFAULTS.epochAttempts, nonRetryableErrorTypes: ['InvalidInvocation'] },
});

export const evaluateModel = step(evaluateModelFunction.steps.evaluate, {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidInvocation'] },
});

const trainingDataOptions: StepOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidInvocation'] },
};
export const prepareDataset = step(trainingData.steps.prepareDataset, trainingDataOptions);
export const saveTrainingCheckpoint = step(trainingData.steps.saveCheckpoint, trainingDataOptions);
export const resolveTrainingCheckpoint = step(trainingData.steps.resolveCheckpoint, trainingDataOptions);

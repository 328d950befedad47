import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';
import { datasetRef, stateRef } from '../training-data/steps';

/**
 * The evaluate-model function: accuracy and loss of a model state on a split of its dataset. Its
 * step, input, output and errors are declared here.
 */

const evaluateModelInput = z.object({
  dataset: datasetRef,
  state: stateRef,
  /** Default 'test', the held-out split. */
  split: z.enum(['test', 'train']).optional(),
});
export type EvaluateModelInput = z.infer<typeof evaluateModelInput>;

export interface EvaluateModelResult {
  split: 'test' | 'train';
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  samples: number;
  correct: number;
  /** confusion[actual][predicted] */
  confusion: number[][];
}

export const evaluateModel = declareFunction({
  name: 'evaluateModel',
  description: 'Accuracy and loss of a model state on the held-out split',
  folder: 'evaluate-model',
  memoryMb: 512,
  timeoutSeconds: 60,
  buckets: [{ bucket: 'data', env: 'TRAINING_BUCKET', read: ['training/datasets/', 'training/state/'] }],
  steps: {
    evaluate: defineStep({
      name: 'evaluateModel',
      description: "Accuracy, mean cross-entropy and confusion matrix of a model state on a split of its dataset",
      input: evaluateModelInput,
      output: returns<EvaluateModelResult>(),
      errors: {
        // A dataset or state object whose bytes do not hash to what its reference says.
        StateIntegrityError: 'nonRetryable',
      },
    }),
  },
});

import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';
import type { StateRef } from '../shared/ml/types';
import { datasetRef, stateRef } from '../training-data/steps';

/**
 * The train-epoch function: one epoch of training per invocation. Its step, input, output and
 * errors are declared here.
 */

const trainEpochInput = z.object({
  trainingId: z.string(),
  dataset: datasetRef,
  /** Hidden units (0 = multinomial logistic regression); used when `state` is null. */
  hiddenUnits: z.number(),
  /** null for the first epoch: the weights are initialised from `seed`. */
  state: stateRef.nullable(),
  /** 1-based. The shuffle is stream(seed, Shuffle, epoch). */
  epoch: z.number(),
  seed: z.number(),
  // The handler checks the values (learning rate, batch size) and names the rule it broke.
  hyperparameters: z.object({ learningRate: z.number(), batchSize: z.number(), momentum: z.number().optional(), l2: z.number().optional() }),
  /** Fault injection: this epoch throws InjectedFault (retryable) on every attempt. */
  failAtEpoch: z.number().optional(),
});
/** One epoch of training: load the state (or initialise it), shuffle, run the minibatches, store the new state. */
export type TrainEpochInput = z.infer<typeof trainEpochInput>;

export interface TrainEpochResult {
  epoch: number;
  state: StateRef;
  weightsSha256: string;
  /** Mean training cross-entropy over the epoch. */
  loss: number;
  samples: number;
  batches: number;
  /** RFC 6962 root of the epoch's sample ids in the order used. */
  sampleMerkleRoot: string;
  /** The first few ids of the epoch's order, for people reading the history. */
  firstSampleIds: string[];
  /** The shuffle generator's state after drawing the order (hex). */
  shuffleState: string;
  model: { inputs: number; hidden: number; classes: number };
  durationMs: number;
}

export const trainEpoch = declareFunction({
  name: 'trainEpoch',
  description: 'Trains a model for one epoch (MLP, SGD with momentum) on a dataset in S3; stores the new state',
  folder: 'train-epoch',
  memoryMb: 1024,
  timeoutSeconds: 120,
  buckets: [
    {
      bucket: 'data',
      env: 'TRAINING_BUCKET',
      read: ['training/datasets/', 'training/state/'],
      write: ['training/state/'],
      list: ['training/'],
    },
  ],
  invalidInputError: 'InvalidTrainingInput',
  steps: {
    train: defineStep({
      name: 'trainEpoch',
      description: 'Trains the model for one epoch from its state (or the seed) and stores the new state content-addressed',
      input: trainEpochInput,
      output: returns<TrainEpochResult>(),
      errors: {
        // Bad hyperparameters, a model that does not fit the dataset, a diverged loss: the same input fails the same way.
        InvalidTrainingInput: 'nonRetryable',
        // A dataset or state object whose bytes do not hash to what its reference says.
        StateIntegrityError: 'nonRetryable',
        // The request's failAtEpoch: fails every attempt, so the retries run out (the fault-injection test).
        InjectedFault: 'retryable',
      },
    }),
  },
});

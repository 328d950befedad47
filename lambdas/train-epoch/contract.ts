import type { DatasetRef, Hyperparameters, StateRef } from '../shared/ml/types';

/** One epoch of training: load the state (or initialise it), shuffle, run the minibatches, store the new state. */
export interface TrainEpochInput {
  trainingId: string;
  dataset: DatasetRef;
  /** Hidden units (0 = multinomial logistic regression); used when `state` is null. */
  hiddenUnits: number;
  /** null for the first epoch: the weights are initialised from `seed`. */
  state: StateRef | null;
  /** 1-based. The shuffle is stream(seed, Shuffle, epoch). */
  epoch: number;
  seed: number;
  hyperparameters: Hyperparameters;
  /** Fault injection: this epoch throws InjectedFault (retryable) on every attempt. */
  failAtEpoch?: number;
}

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

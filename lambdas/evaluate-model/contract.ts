import type { DatasetRef, StateRef } from '../shared/ml/types';

export interface EvaluateModelInput {
  dataset: DatasetRef;
  state: StateRef;
  /** Default 'test', the held-out split. */
  split?: 'test' | 'train';
}

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

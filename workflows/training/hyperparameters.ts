import type { Hyperparameters } from '../../lambdas/shared/ml/types';

/** Why a set of hyperparameters cannot be used, or undefined if it can. Shared by the API's schema and the workflow's validator. */
export function hyperparameterProblem(hp: Partial<Hyperparameters>): string | undefined {
  const { learningRate, batchSize, momentum, l2 } = hp;
  if (learningRate !== undefined && !(typeof learningRate === 'number' && Number.isFinite(learningRate) && learningRate > 0 && learningRate <= 10)) {
    return 'learningRate must be a number in (0, 10]';
  }
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100_000)) return 'batchSize must be an integer in 1..100000';
  if (momentum !== undefined && !(typeof momentum === 'number' && momentum >= 0 && momentum < 1)) return 'momentum must be a number in [0, 1)';
  if (l2 !== undefined && !(typeof l2 === 'number' && Number.isFinite(l2) && l2 >= 0 && l2 <= 1)) return 'l2 must be a number in [0, 1]';
  const unknown = Object.keys(hp).filter((k) => !['learningRate', 'batchSize', 'momentum', 'l2'].includes(k));
  if (unknown.length > 0) return `unknown hyperparameter(s): ${unknown.join(', ')}`;
  return undefined;
}

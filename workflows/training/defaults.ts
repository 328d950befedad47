import type { Hyperparameters } from '../../lambdas/shared/ml/types';
import { POSITIVE } from '../lib/durations';
import { duration, fieldProblem, positiveInteger, withDefaults } from '../lib/input';
import type { TrainingRequest } from './types';

/** Defaults of every optional setting of a training request (docs/workflows/training.md lists them). */
export const TRAINING_DEFAULTS = {
  hiddenUnits: 16,
  momentum: 0.9,
  l2: 0,
  reviewTimeout: '24h',
  reviewTimeoutAction: 'continue' as const,
  maxEpochsPerRun: 100,
  /** Attempts of one epoch before the training fails (retryable errors, 1 s then 2 s backoff). */
  epochAttempts: 3,
};

/** A request with its defaults filled in (the seed's default needs the workflow id: defaultSeed). */
export const settleRequest = (request: TrainingRequest) =>
  withDefaults(request, { hiddenUnits: TRAINING_DEFAULTS.hiddenUnits, reviewTimeout: TRAINING_DEFAULTS.reviewTimeout, reviewTimeoutAction: TRAINING_DEFAULTS.reviewTimeoutAction, maxEpochsPerRun: TRAINING_DEFAULTS.maxEpochsPerRun });

export type SettledRequest = ReturnType<typeof settleRequest>;

/** Hyperparameters with momentum and l2 filled in. */
export function withHyperparameterDefaults(hp: Hyperparameters): Hyperparameters {
  return { learningRate: hp.learningRate, batchSize: hp.batchSize, momentum: hp.momentum ?? TRAINING_DEFAULTS.momentum, l2: hp.l2 ?? TRAINING_DEFAULTS.l2 };
}

/** Why a training request cannot be run (the API's schema checks the same, with a 400), or undefined. */
export function trainingRequestProblem(r: TrainingRequest): string | undefined {
  if (typeof r?.trainingId !== 'string' || typeof r.modelId !== 'string' || r.modelId === '') return 'trainingId and modelId must be strings';
  for (const field of ['epochs', 'checkpointEvery'] as const) if (r[field] === undefined) return `${field} is required`;
  const problem = fieldProblem(r, {
    epochs: positiveInteger,
    checkpointEvery: positiveInteger,
    reviewEvery: positiveInteger,
    maxEpochsPerRun: positiveInteger,
    seed: (v) => (Number.isSafeInteger(v) && v >= 0 ? undefined : 'must be an integer in 0..2^53-1'),
    reviewTimeout: duration(POSITIVE),
  });
  if (problem) return problem;
  if (r.hyperparameters === undefined && r.resumeFrom === undefined) return 'hyperparameters are required unless resumeFrom is given';
  if (r.hyperparameters !== undefined && (r.hyperparameters.learningRate === undefined || r.hyperparameters.batchSize === undefined)) return 'hyperparameters need learningRate and batchSize';
  return r.hyperparameters === undefined ? undefined : hyperparameterProblem(r.hyperparameters);
}

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

/**
 * The default seed, from the workflow id: FNV-1a, 32-bit, over the id's UTF-8 bytes. Pure
 * arithmetic, so workflow code can call it.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  const add = (byte: number) => {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) add(cp);
    else if (cp < 0x800) [0xc0 | (cp >> 6), 0x80 | (cp & 63)].forEach(add);
    else if (cp < 0x10000) [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)].forEach(add);
    else [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)].forEach(add);
  }
  return h >>> 0;
}

import { z } from 'zod';
import { POSITIVE } from '../../workflows/lib/durations';
import { durationSchema, ZERO_DURATION_PATTERN } from './duration';
import { clientIdSchema, defineSpec, errors as plainErrors, resourceErrors } from './route-spec';
import { acceptedSchema, idempotencyKeyHeader, statusSchema } from './workflow-answers';

const int = (what: string, min: number, max: number) =>
  z
    .number({ error: `must be ${what}` })
    .int(`must be an integer`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);


export const hyperparametersSchema = z.strictObject({
  learningRate: z.number({ error: 'must be a number' }).positive('must be greater than 0').max(10, 'must be at most 10').describe('SGD step size η'),
  batchSize: int('an integer number of samples', 1, 100_000).describe('Samples per minibatch'),
  momentum: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').lt(1, 'must be less than 1').optional().describe('Classical momentum μ; default 0.9'),
  l2: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(1, 'must be at most 1').optional().describe('L2 weight decay λ; default 0'),
});

export const datasetSpecSchema = z
  .strictObject({
    kind: z.enum(['gaussian-clusters', 'spirals'], 'must be "gaussian-clusters" or "spirals"').optional().describe('Default gaussian-clusters'),
    classes: int('an integer', 2, 20).optional().describe('Default 3'),
    samplesPerClass: int('an integer', 5, 20_000).optional().describe('Default 200'),
    features: int('an integer', 1, 64).optional().describe('gaussian-clusters only; default 4'),
    noise: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(10, 'must be at most 10').optional().describe('Default 1.0'),
    radius: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(100, 'must be at most 100').optional().describe('gaussian-clusters only; default 2.5'),
    testFraction: z.number({ error: 'must be a number' }).min(0.05, 'must be at least 0.05').max(0.9, 'must be at most 0.9').optional().describe('Held-out share; default 0.25'),
    seed: int('an integer', 0, Number.MAX_SAFE_INTEGER).optional().describe('Generator seed; default 7'),
  })
  .describe('A deterministic synthetic dataset; the same spec always gives the same data (lambdas/shared/ml/dataset.ts)');

const isObjectPayload = (p: { value: unknown }): boolean => typeof p.value === 'object' && p.value !== null && !Array.isArray(p.value);

export const startTrainingSchema = z
  .strictObject({
    trainingId: clientIdSchema.optional().describe('Your id for the training; default a UUID. Reusing one answers 409.'),
    modelId: clientIdSchema.describe('Checkpoints are kept per model id; resuming looks them up by it'),
    dataset: datasetSpecSchema,
    epochs: int('an integer number of epochs', 1, 10_000).describe('Total epochs, counting those a resumed checkpoint covers'),
    hiddenUnits: int('an integer', 0, 256).optional().describe('Hidden tanh units; 0 = multinomial logistic regression. Default 16'),
    hyperparameters: hyperparametersSchema.optional().describe('Required unless resumeFrom is given (then the checkpoint’s are the default)'),
    seed: int('an integer', 0, Number.MAX_SAFE_INTEGER).optional().describe('Default: the resumed checkpoint’s seed, else FNV-1a-32 of the workflow id. 0 is valid.'),
    checkpointEvery: int('an integer number of epochs', 1, 10_000).describe('Save a checkpoint after every N-th epoch (and the last)'),
    reviewEvery: int('an integer number of epochs', 1, 10_000).optional().describe('Pause for a decision after every K-th epoch; default never'),
    reviewTimeout: durationSchema('How long a review waits for a decision. Default "24h"', POSITIVE).optional(),
    reviewTimeoutAction: z.enum(['continue', 'stop'], 'must be "continue" or "stop"').optional().describe('What a review that times out does; default continue'),
    resumeFrom: z.string({ error: 'must be a string' }).regex(/^(latest|[0-9a-f]{32})$/, 'must be "latest" or a checkpoint id (32 lowercase hex digits)').optional(),
    failAtEpoch: int('an integer', 1, 10_000).optional().describe('Fault injection: this epoch fails on every attempt, so the training fails there'),
    maxEpochsPerRun: int('an integer', 1, 10_000).optional().describe('Continue-as-new after this many epochs per run; default 100'),
  })
  // `when`: checked even if other fields are invalid, so one 400 names every problem.
  .refine((b) => b.hyperparameters !== undefined || b.resumeFrom !== undefined, { path: ['hyperparameters'], message: 'is required unless resumeFrom is given', when: isObjectPayload })
  // The rule above, and the review timeout's range, as JSON Schema for the document (a refinement emits none).
  .meta({
    allOf: [
      { anyOf: [{ required: ['hyperparameters'] }, { required: ['resumeFrom'] }], description: 'hyperparameters unless resumeFrom' },
      { properties: { reviewTimeout: { not: { pattern: ZERO_DURATION_PATTERN } } }, description: 'reviewTimeout longer than 0' },
    ],
  });

export const decisionSchema = z.strictObject({
  action: z.enum(['continue', 'adjust', 'stop'], 'must be "continue", "adjust" or "stop"'),
  hyperparameters: hyperparametersSchema.partial().optional().describe('For adjust: the hyperparameters to change, applied from the next epoch'),
  reason: z.string({ error: 'must be a string' }).max(1000, 'must be at most 1000 characters').optional(),
});

const checkpointSchema = z.object({
  checkpointId: z.string(),
  modelId: z.string(),
  epoch: z.number(),
  createdAt: z.string(),
  trainingId: z.string().nullable(),
  sampleMerkleRoot: z.string().nullable().describe("RFC 6962 root of the epoch's sample ids in training order"),
  weightsSha256: z.string().nullable(),
  metrics: z.object({ loss: z.number().optional(), accuracy: z.number().optional(), testLoss: z.number().optional(), bestLoss: z.number().optional() }),
  blob: z.object({ key: z.string(), sha256: z.string(), sizeBytes: z.number() }),
  parent: z.string().nullable(),
});

const errors = resourceErrors('trainingId');

const checkpointListSchema = z.object({ modelId: z.string(), trainingId: z.string().optional(), checkpoints: z.array(checkpointSchema) });

/** The training workflow's routes (workflows/training): start, status, decisions, checkpoints; api/trainings.ts handles them. */
export const trainingSpecs = {
  start: defineSpec({
    method: 'POST',
    path: '/trainings',
    summary: 'Start a training (or resume one from a checkpoint)',
    tags: ['trainings'],
    body: startTrainingSchema,
    responses: { 202: { description: 'Started', schema: acceptedSchema('trainingId', { modelId: z.string() }), headers: { Location: 'The status URL' } }, 400: errors[400], 409: errors[409], 503: errors[503] },
  }),
  status: defineSpec({
    method: 'GET',
    path: '/trainings/{trainingId}',
    summary: "A training's status and state (epoch, losses, best loss, accuracy, checkpoints, decisions), and its result once closed",
    tags: ['trainings'],
    params: { trainingId: clientIdSchema },
    responses: { 200: { description: 'The status', schema: statusSchema('trainingId') }, 400: errors[400], 404: errors[404], 503: errors[503] },
  }),
  decision: defineSpec({
    method: 'POST',
    path: '/trainings/{trainingId}/decision',
    summary: "A researcher's decision at a review: continue, adjust hyperparameters (from the next epoch), or stop early",
    tags: ['trainings'],
    params: { trainingId: clientIdSchema },
    headers: idempotencyKeyHeader,
    body: decisionSchema,
    responses: {
      200: { description: 'Applied, or a repeat of an applied request (duplicate: true)' },
      400: errors[400],
      404: errors[404],
      409: { description: 'The training is not awaiting a decision, or it has ended', schema: errors[409].schema },
      503: errors[503],
    },
  }),
  checkpoints: defineSpec({
    method: 'GET',
    path: '/trainings/{trainingId}/checkpoints',
    summary: "The checkpoints of the training's model in S3 (ids, epochs, metrics, sample-order Merkle roots), oldest first",
    tags: ['trainings'],
    params: { trainingId: clientIdSchema },
    responses: { 200: { description: 'The checkpoints', schema: checkpointListSchema }, 400: errors[400], 404: errors[404], 503: { ...errors[503], description: 'The workflow service is unreachable, or no worker answered the training\'s state query; retry later' } },
  }),
  modelCheckpoints: defineSpec({
    method: 'GET',
    path: '/models/{modelId}/checkpoints',
    summary: "A model's checkpoints in S3, oldest first: what resumeFrom can name",
    tags: ['trainings'],
    params: { modelId: clientIdSchema },
    responses: { 200: { description: 'The checkpoints (empty if the model has none)', schema: checkpointListSchema }, 400: plainErrors[400] },
  }),
};

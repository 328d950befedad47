import { z } from 'zod';
import { CATEGORIES } from '../../domain/analysis/types';
import { clientIdSchema, defineSpec, resourceErrors } from './route-spec';
import { acceptedSchema, idempotencyKeyHeader, statusSchema } from './workflow-answers';

/** Codebase analysis's routes (workflows/analysis/; docs/workflows/analysis.md); api/analyses.ts handles them. */

const positive = (what: string) => z.number({ error: `must be a number: ${what}` }).positive(`must be greater than 0: ${what}`);
const category = z.enum(CATEGORIES as [string, ...string[]], { error: `must be one of ${CATEGORIES.join(', ')}` });
const path = z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(512, 'must be at most 512 characters').regex(/^[^/]/, 'must be a relative path inside the snapshot');

export const startAnalysisSchema = z
  .strictObject({
    analysisId: clientIdSchema.optional().describe('Your id for the analysis; default a UUID. Reusing one answers 409.'),
    snapshotId: clientIdSchema.optional().describe('A snapshot uploaded by `npm run upload-snapshot` (prefix snapshots/<snapshotId> in the snapshot bucket)'),
    snapshot: z
      .strictObject(
        {
          bucket: z.string({ error: 'must be a string' }).regex(/^[a-z0-9.-]{3,63}$/, 'must be an S3 bucket name').optional().describe('Default: the stack\'s snapshot bucket'),
          prefix: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(512, 'must be at most 512 characters').describe('The prefix holding manifest.json and files/'),
        },
        { error: 'must be an object { prefix, bucket? }' },
      )
      .optional(),
    budget: positive('the most the analysis may cost').describe('The most the analysis may cost, in the currency of pricePer1kTokens'),
    pricePer1kTokens: positive('the price of 1000 tokens').optional().describe('Default 0.01'),
    deepCostFactor: z.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(100, 'must be at most 100').optional().describe('Cost of a deep pass relative to a cheap one. Default 4'),
    complexityThreshold: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional().describe('Default 10'),
    deepThreshold: z.number({ error: 'must be a number' }).min(0, 'must not be negative').optional().describe('Cheap-pass score from which a file gets a deep pass. Default 8'),
    parallelism: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(32, 'must be at most 32').optional().describe('Files analysed at once. Default 4'),
    mode: z.enum(['single', 'multi-agent'], { error: 'must be "single" or "multi-agent"' }).optional().describe('Default "single"'),
    categories: z.array(category, { error: 'must be an array of categories' }).min(1, 'must not be empty').optional().describe('single mode only: only these categories. Default all'),
    specialists: z
      .array(
        z.strictObject(
          {
            name: category,
            budgetShare: z.number({ error: 'must be a number' }).positive('must be greater than 0').max(1, 'must be at most 1').optional(),
            timeoutSeconds: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(86400, 'must be at most 86400').optional(),
          },
          { error: 'must be an object { name, budgetShare?, timeoutSeconds? }' },
        ),
        { error: 'must be an array of specialists' },
      )
      .min(1, 'must not be empty')
      .optional()
      .describe('multi-agent mode only: the specialists, each at most once, their budgetShares adding up to at most 1. Default security, performance, architecture with equal shares'),
    entryPoints: z.array(path, { error: 'must be an array of paths' }).optional().describe('Files whose exports are public API. Default src/index.ts, index.ts, src/main.ts, main.ts'),
    requirePlanApproval: z.boolean({ error: 'must be true or false' }).optional().describe('Wait for POST /analyses/{id}/plan before refactoring. Default false'),
    refactor: z.boolean({ error: 'must be true or false' }).optional().describe('Run the refactoring stage. Default true'),
    batchSize: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').optional().describe('Files per refactoring batch. Default 3'),
    budgetApprovalTimeoutSeconds: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(31_622_400, 'must be at most 366 days').optional().describe('Default 86400 (24 h); then the budget counts as refused'),
    planApprovalTimeoutSeconds: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(31_622_400, 'must be at most 366 days').optional().describe('Default 604800 (7 days); then the refactoring is skipped'),
  })
  .superRefine((b, ctx) => {
    if ((b.snapshotId === undefined) === (b.snapshot === undefined)) ctx.addIssue({ code: 'custom', path: ['snapshot'], message: 'give exactly one of snapshotId and snapshot' });
    if (b.mode !== 'multi-agent' && b.specialists) ctx.addIssue({ code: 'custom', path: ['specialists'], message: 'only in mode "multi-agent"' });
    if (b.mode === 'multi-agent' && b.categories) ctx.addIssue({ code: 'custom', path: ['categories'], message: 'not in mode "multi-agent" (use specialists)' });
    const names = (b.specialists ?? []).map((s) => s.name);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['specialists'], message: 'each specialist may appear once' });
    const shares = (b.specialists ?? []).reduce((s, x) => s + (x.budgetShare ?? 0), 0);
    if (shares > 1 + 1e-9) ctx.addIssue({ code: 'custom', path: ['specialists'], message: 'budget shares must add up to at most 1' });
  })
  // The rules above as JSON Schema, for the document (a refinement emits none). Unique specialists would need
  // minContains, which schemathesis cannot generate from, and the sum of shares has no form: both are in the description.
  .meta({
    allOf: [
      { oneOf: [{ required: ['snapshotId'] }, { required: ['snapshot'] }], description: 'Exactly one of snapshotId and snapshot' },
      { anyOf: [{ not: { required: ['specialists'] } }, { required: ['mode'], properties: { mode: { const: 'multi-agent' } } }], description: 'specialists only in mode "multi-agent"' },
      { not: { required: ['mode', 'categories'], properties: { mode: { const: 'multi-agent' } } }, description: 'no categories in mode "multi-agent"' },
    ],
  });

export const budgetDecisionSchema = z
  .strictObject({
    approved: z.boolean({ error: 'must be true (approve a new budget) or false (stop with the results so far)' }),
    newBudget: positive('the budget enforced from now on').optional().describe('Required when approved'),
    decidedBy: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  })
  .refine((b) => !b.approved || b.newBudget !== undefined, { path: ['newBudget'], message: 'is required when approved is true' })
  .meta({ if: { properties: { approved: { const: true } } }, then: { required: ['newBudget'] } });

export const planDecisionSchema = z.strictObject({
  approved: z.boolean({ error: 'must be true (apply the plan) or false (skip the refactoring)' }),
  approvedBy: z.string({ error: 'must be a string: who decides' }).trim().min(1, 'must not be empty: who decides').max(200, 'must be at most 200 characters'),
});

const decisionResultSchema = z.object({
  requestId: z.string(),
  approved: z.boolean(),
  budget: z.number().optional().describe('Budget decisions: the budget enforced from now on'),
  stage: z.string(),
  duplicate: z.boolean().describe('true when this request had already been applied: nothing changed'),
});

const analysisIdParam = { analysisId: clientIdSchema };
const errors = resourceErrors('analysisId');

export const analysisSpecs = {
  start: defineSpec({
    method: 'POST',
    path: '/analyses',
    summary: 'Analyse a repository snapshot within a budget (single or multi-agent), then refactor it in checked batches',
    tags: ['analyses'],
    body: startAnalysisSchema,
    responses: { 202: { description: 'Started', schema: acceptedSchema('analysisId', { mode: z.enum(['single', 'multi-agent']) }), headers: { Location: 'The status URL' } }, 400: errors[400], 409: errors[409], 503: errors[503] },
  }),
  status: defineSpec({
    method: 'GET',
    path: '/analyses/{analysisId}',
    summary: "An analysis's status; state: files analysed of total, cost so far, budget left, findings by severity, stage, strategy switches, pending decisions, batches",
    tags: ['analyses'],
    params: analysisIdParam,
    responses: { 200: { description: 'The status', schema: statusSchema('analysisId') }, 400: errors[400], 404: errors[404], 503: errors[503] },
  }),
  budget: defineSpec({
    method: 'POST',
    path: '/analyses/{analysisId}/budget',
    summary: 'Answer a budget request: approve a new budget (enforced from then on) or refuse (the analysis ends with its results so far)',
    description: 'A Temporal Update. 409 when no budget decision is pending, or when newBudget does not cover the next file. A repeat answers duplicate: true.',
    tags: ['analyses'],
    params: analysisIdParam,
    headers: idempotencyKeyHeader,
    body: budgetDecisionSchema,
    responses: { 200: { description: 'Applied (or had been: duplicate)', schema: decisionResultSchema }, 400: errors[400], 404: errors[404], 409: errors[409], 503: errors[503] },
  }),
  plan: defineSpec({
    method: 'POST',
    path: '/analyses/{analysisId}/plan',
    summary: 'Approve or reject the refactoring plan of an analysis that requires plan approval',
    description: 'A Temporal Update. 409 when no plan is awaiting approval. A repeat answers duplicate: true.',
    tags: ['analyses'],
    params: analysisIdParam,
    headers: idempotencyKeyHeader,
    body: planDecisionSchema,
    responses: { 200: { description: 'Applied (or had been: duplicate)', schema: decisionResultSchema }, 400: errors[400], 404: errors[404], 409: errors[409], 503: errors[503] },
  }),
  cancel: defineSpec({
    method: 'POST',
    path: '/analyses/{analysisId}/cancel',
    summary: 'Cancel an analysis (in multi-agent mode, its specialists too); it ends CANCELLED',
    tags: ['analyses'],
    params: analysisIdParam,
    responses: { 202: { description: 'Cancellation requested', schema: z.object({ analysisId: z.string(), workflowId: z.string(), status: z.literal('CANCEL_REQUESTED') }) }, 400: errors[400], 404: errors[404], 409: errors[409], 503: errors[503] },
  }),
};

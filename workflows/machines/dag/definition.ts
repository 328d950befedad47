import { z } from 'zod';

/**
 * A DAG definition: data (JSON), so it can arrive over HTTP and be stored. Shape only; the rules
 * between fields (ids, dependencies, cycles, expressions, step names) are in ./validate.ts.
 * docs/dags.md describes every field.
 */

const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,79}$/;
const WORKFLOW_TYPE = /^[A-Za-z_$][A-Za-z0-9_$]{0,99}$/;

/** A JSONata expression, as text; parsed by the validator. */
const expression = z.string().min(1, 'must be a non-empty JSONata expression');

const seconds = (max: number) => z.number().int('must be a whole number of seconds').min(1, 'must be at least 1 second').max(max, `must be at most ${max} seconds`);

export const retryPolicySchema = z.strictObject({
  /** Attempts in all, the first included; 1 means no retry. */
  maximumAttempts: z.number().int().min(1).max(100).optional(),
  initialIntervalSeconds: seconds(3600).optional(),
  backoffCoefficient: z.number().min(1).max(10).optional(),
  maximumIntervalSeconds: seconds(86_400).optional(),
  /** Error names never retried (added to what the Lambda step's declaration marks non-retryable). */
  nonRetryableErrors: z.array(z.string().min(1)).optional(),
});
export type DagRetryPolicy = z.infer<typeof retryPolicySchema>;

const lambdaTask = z.strictObject({
  type: z.literal('lambda'),
  /** A declared Lambda step by its step name (lambdas/catalog.ts), e.g. `writeDraft`. */
  step: z.string().min(1, 'must name a declared Lambda step'),
});

const workflowTask = z.strictObject({
  type: z.literal('workflow'),
  /** The workflow type the worker registers, run as a child workflow with the step's input as its one argument. */
  workflow: z.string().regex(WORKFLOW_TYPE, 'must be a workflow type name'),
  taskQueue: z.string().min(1).optional(),
});

const decisionTask = z.strictObject({
  type: z.literal('decision'),
  /** What the person is asked; shown with the step's input while it waits. */
  prompt: z.string().min(1).max(2000),
  /** What a decision that does not come in time means: the step fails (default), or is approved. */
  onTimeout: z.enum(['fail', 'approve']).optional(),
});

export const taskSchema = z.discriminatedUnion('type', [lambdaTask, workflowTask, decisionTask]);
export type DagTask = z.infer<typeof taskSchema>;

export const DEPENDENCY_POLICIES = ['allSucceeded', 'noneFailed'] as const;
export type DependencyPolicy = (typeof DEPENDENCY_POLICIES)[number];

export const stepSchema = z.strictObject({
  id: z.string().regex(STEP_ID, 'must start with a letter and hold only letters, digits, _ and - (at most 80)'),
  /** Steps that must have settled before this one is considered. */
  dependsOn: z.array(z.string()).optional(),
  run: taskSchema,
  /** JSONata over `{ input, steps }`: the step's input. Absent: the execution's input. */
  input: expression.optional(),
  /** JSONata over `{ input, steps }`: the step runs only when this is true; otherwise it is skipped. */
  when: expression.optional(),
  /**
   * When this step runs, given its dependencies: `allSucceeded` (default) needs every dependency
   * to have succeeded; `noneFailed` also runs after dependencies that were skipped, as long as none
   * failed (a dependency that failed, or was skipped because something above it failed, skips it).
   */
  requires: z.enum(DEPENDENCY_POLICIES).optional(),
  retry: retryPolicySchema.optional(),
  /** One attempt's timeout (a Lambda step, a child workflow run), or how long a decision waits. */
  timeoutSeconds: seconds(31 * 86_400).optional(),
});
export type DagStep = z.infer<typeof stepSchema>;

export const dagDefinitionSchema = z.strictObject({
  kind: z.literal('dag'),
  comment: z.string().max(2000).optional(),
  steps: z.array(stepSchema).min(1, 'must hold at least one step').max(500, 'must hold at most 500 steps'),
  /** Steps running at once, at most. Default 10. */
  maxConcurrency: z.number().int().min(1).max(100).optional(),
  /** The whole run's timeout: steps in flight are cancelled and the run ends TIMED_OUT. */
  timeoutSeconds: seconds(366 * 86_400).optional(),
  /** JSONata over `{ input, steps }`: the run's output. Absent: each succeeded step's output by step id. */
  output: expression.optional(),
});
export type DagDefinition = z.infer<typeof dagDefinitionSchema>;

/** Defaults, documented in docs/dags.md. */
export const DAG_DEFAULTS = {
  maxConcurrency: 10,
  requires: 'allSucceeded' as DependencyPolicy,
  /** A Lambda step's or child workflow's attempt timeout. */
  stepTimeoutSeconds: 300,
  /** How long a decision waits. */
  decisionTimeoutSeconds: 86_400,
  retry: { maximumAttempts: 3, initialIntervalSeconds: 1, backoffCoefficient: 2, maximumIntervalSeconds: 60 },
} as const;

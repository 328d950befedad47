import type { z } from 'zod';

/**
 * Step declarations: the one place a Lambda-backed step is described. Everything else is derived
 * from them: the workflow's typed call (`step()` in ./workflow.ts), the handler's input parsing and
 * dispatch (./handler.ts), the worker's activities and its start-up check (runtime/lambda/activity.ts),
 * and the CDK function with its grants and the worker's name-to-function mapping
 * (infra/constructs/declared-function.ts).
 *
 * This module is part of the contract layer: pure data and types, imported by workflow code (it
 * runs in the workflow sandbox), handlers, the worker and infra alike. It imports zod's types only;
 * the schemas themselves are built by the declaring module.
 */

/** Whether Temporal retries a step that failed with this error. */
export type ErrorPolicy = 'retryable' | 'nonRetryable';

export interface StepSpec<I, O, E extends string> {
  /**
   * The step's name: its Temporal activity type, so it is what the history, the Web UI,
   * `temporal workflow show`, the worker's metrics and the logs call it (`chargePayment`).
   * Unique across the project; a verb and its object, camelCase.
   */
  readonly name: string;
  /** One sentence: what the step does. Shown in the docs and the function's description. */
  readonly description: string;
  /** Parses the input in the handler; its output type is the step's input type. */
  readonly input: z.ZodType<I>;
  /** Only the type matters: the handler's return value is checked against it at compile time. */
  readonly output?: OutputType<O>;
  /**
   * The error names (an error's `name`, which travels as the failure's type) the step may fail
   * with, and whether a retry can help. `nonRetryable` ones fail the step at once whatever the
   * call site's retry policy says; errors not listed here are infrastructure errors and retried.
   */
  readonly errors: Readonly<Record<E, ErrorPolicy>>;
  /**
   * `sync` (default): the worker invokes the function and waits (RequestResponse), heartbeating.
   * `async`: the worker invokes it with InvocationType Event and lets go; the handler completes the
   * activity through Temporal (runtime/lambda/async-handler.ts), so long work holds no worker slot.
   */
  readonly mode?: 'sync' | 'async';
  /**
   * The `op` value that asked for this step before steps had names. Calls scheduled by workflow
   * code older than named steps (the generic `invokeFunction` activity) carry no step name, only
   * the input, in which a function running several operations found `op`; those calls are still
   * dispatched by it.
   */
  readonly legacyOp?: string;
}

/** A phantom marker carrying the output type; build it with `returns<T>()`. */
export interface OutputType<O> {
  readonly __output?: O;
}

/** Names a step's output type: `output: returns<ChargeResult>()`. */
export function returns<O>(): OutputType<O> {
  return {};
}

export interface StepDeclaration<I = unknown, O = unknown, E extends string = string> extends StepSpec<I, O, E> {
  /** The logical name of the function that runs the step (set by `declareFunction`). */
  readonly functionName: string;
  readonly mode: 'sync' | 'async';
}

export type StepInput<S> = S extends StepDeclaration<infer I, unknown, string> ? I : never;
export type StepOutput<S> = S extends StepDeclaration<unknown, infer O, string> ? O : never;

/** A stack resource a function may use, by its name in the stack (infra/stacks/stepless-stack.ts). */
export type BucketName = 'data' | 'snapshots';
export type TableName = 'jobs' | 'inventory' | 'payments' | 'shipments' | 'analysis';

export interface BucketAccess {
  readonly bucket: BucketName;
  /** The environment variable that receives the bucket's name. */
  readonly env: string;
  /** Key prefixes the function may read (GetObject); '' is the whole bucket. */
  readonly read?: readonly string[];
  /** Key prefixes the function may write (PutObject, and AbortMultipartUpload for large writes). */
  readonly write?: readonly string[];
  /** Key prefixes the function may delete objects under. */
  readonly delete?: readonly string[];
  /** Prefixes the function may list (ListBucket with an s3:prefix condition). */
  readonly list?: readonly string[];
  /** Read and write object versions too (GetObjectVersion, ListBucketVersions): restoring earlier versions. */
  readonly versions?: boolean;
}

export interface TableAccess {
  readonly table: TableName;
  readonly env: string;
  /** `read`: GetItem/Query/Scan; `write`: PutItem/UpdateItem/DeleteItem; or exact DynamoDB actions. */
  readonly access: 'read' | 'write' | 'readWrite' | readonly `dynamodb:${string}`[];
}

export interface FunctionSpec {
  /** The logical name the worker maps to the deployed function (`orderPayment`). */
  readonly name: string;
  readonly description: string;
  /** The handler module's folder under lambdas/ (its `handler.ts` exports `handler`). */
  readonly folder: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /**
   * Concurrent executions reserved for (and capped at) this number on AWS: for a function that
   * protects a downstream (a payment provider). Excess invocations are throttled, which the
   * bridge retries as Temporal activity attempts.
   */
  readonly reservedConcurrency?: number;
  readonly buckets?: readonly BucketAccess[];
  readonly tables?: readonly TableAccess[];
  /** Inputs and results above the claim-check threshold travel through the data bucket. */
  readonly claimChecks?: boolean;
  /** Uses the idempotency table (runtime/idempotency) to answer a retried call from its record. */
  readonly idempotency?: boolean;
  /** Ship TypeScript's lib.*.d.ts next to the bundle (functions that run the type checker). */
  readonly typescriptLibs?: boolean;
  /** The error name an input that does not parse fails with (non-retryable). Default `InvalidStepInput`. */
  readonly invalidInputError?: string;
}

export interface FunctionDeclaration<S extends Record<string, StepDeclaration> = Record<string, StepDeclaration>> extends FunctionSpec {
  readonly steps: S;
}

type Specs = Record<string, StepSpec<never, unknown, string> | StepSpec<unknown, unknown, string>>;
type Declared<T extends Specs> = {
  [K in keyof T]: T[K] extends StepSpec<infer I, infer O, infer E> ? StepDeclaration<I, O, E> : never;
};

/** Declares one step (use inside `declareFunction`'s `steps`); the type parameters are inferred. */
export function defineStep<I, O, E extends string = never>(spec: StepSpec<I, O, E>): StepSpec<I, O, E> {
  return spec;
}

const STEP_NAME = /^[a-z][A-Za-z0-9]{1,63}$/;
const ERROR_NAME = /^[A-Z][A-Za-z0-9.]{0,99}$/;

/**
 * Declares a Lambda function and the steps it runs. Checked at once, so a mistake fails at import
 * (in the unit tests, in synth and at worker start-up), not when a workflow first calls the step.
 */
export function declareFunction<T extends Specs>(
  spec: FunctionSpec & { steps: T },
): FunctionDeclaration<Declared<T>> {
  const problems: string[] = [];
  if (!STEP_NAME.test(spec.name)) problems.push(`name "${spec.name}" must be camelCase letters and digits (2-64), starting with a lower-case letter`);
  if (!Number.isInteger(spec.memoryMb) || spec.memoryMb < 128 || spec.memoryMb > 10240) problems.push(`memoryMb ${spec.memoryMb} must be a whole number from 128 to 10240`);
  if (!Number.isInteger(spec.timeoutSeconds) || spec.timeoutSeconds < 1 || spec.timeoutSeconds > 900) problems.push(`timeoutSeconds ${spec.timeoutSeconds} must be a whole number from 1 to 900`);
  if (spec.reservedConcurrency !== undefined && (!Number.isInteger(spec.reservedConcurrency) || spec.reservedConcurrency < 1)) {
    problems.push(`reservedConcurrency ${spec.reservedConcurrency} must be a whole number of at least 1`);
  }
  const steps: Record<string, StepDeclaration> = {};
  for (const [key, step] of Object.entries(spec.steps)) {
    if (!STEP_NAME.test(step.name)) problems.push(`steps.${key}.name "${step.name}" must be camelCase letters and digits (2-64), starting with a lower-case letter`);
    for (const error of Object.keys(step.errors)) {
      if (!ERROR_NAME.test(error)) problems.push(`steps.${key}.errors: "${error}" must be an error name in PascalCase`);
    }
    steps[key] = { ...(step as StepSpec<unknown, unknown, string>), functionName: spec.name, mode: step.mode ?? 'sync' };
  }
  if (Object.keys(steps).length === 0) problems.push('steps must declare at least one step');
  if (problems.length > 0) throw new Error(`function declaration ${spec.name}: ${problems.join('; ')}`);
  return { ...spec, steps: steps as Declared<T> };
}

/** The error names a step declares non-retryable: what the workflow's retry policy never retries. */
export function nonRetryableErrorsOf(step: Pick<StepDeclaration, 'errors'>): string[] {
  return Object.entries(step.errors).filter(([, policy]) => policy === 'nonRetryable').map(([name]) => name);
}

/** Every step of these functions by name; throws naming both when two share a name. */
export function stepsByName(functions: readonly FunctionDeclaration[]): Map<string, StepDeclaration> {
  const byName = new Map<string, StepDeclaration>();
  for (const fn of functions) {
    for (const step of Object.values(fn.steps)) {
      const other = byName.get(step.name);
      if (other) throw new Error(`step name "${step.name}" is declared twice: by function ${other.functionName} and by function ${fn.name}`);
      byName.set(step.name, step);
    }
  }
  return byName;
}

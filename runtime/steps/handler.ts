import type { Context as LambdaContext } from 'aws-lambda';
import type { InvocationEnvelope, InvocationMeta } from '../lambda/envelope';
import { errorNameOf, isMarkedNonRetryable, nonRetryable, toWireError } from '../lambda/errors';
import { invalidInvocation, unwrapEnvelope, wrapResult } from '../lambda/handler';
import type { FunctionDeclaration, StepDeclaration, StepInput, StepOutput } from './declare';

/** What a step's implementation receives besides its input. */
export interface StepContext {
  meta: InvocationMeta;
  lambda: LambdaContext;
  /** The step being run (its declaration). */
  step: StepDeclaration;
  /** JSON log lines carrying the workflow id, run id, activity id, attempt, step and request id. */
  log: StepLogger;
}

export interface StepLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One implementation per declared step, typed by its declaration. */
export type StepImplementations<S extends Record<string, StepDeclaration>> = {
  [K in keyof S]: (input: StepInput<S[K]>, context: StepContext) => Promise<StepOutput<S[K]>>;
};

/** The error a step fails with when its input does not parse (named by the declaration): a retry cannot fix it. */
function invalidInput(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return nonRetryable(error);
}

/**
 * The Lambda handler of a declared function: takes the worker's envelope, finds the step it asks
 * for (`meta.step`, else the step whose `legacyOp` is the input's `op`, else the function's only step), parses
 * the input with the step's schema, runs the implementation and returns its result (through S3
 * when it is above the claim-check threshold).
 *
 * Errors: an error whose name the step declares `nonRetryable` is sent as non-retryable, so the
 * declaration, not each throw site, says what a retry cannot fix. An error the step does not
 * declare is logged as such and stays retryable (an infrastructure error); the unit test
 * test/unit/steps/declared-errors.test.ts finds handlers that can throw undeclared names.
 */
export function functionHandler<S extends Record<string, StepDeclaration>>(
  declaration: FunctionDeclaration<S>,
  implementations: StepImplementations<S>,
): (event: InvocationEnvelope<unknown>, context: LambdaContext) => Promise<unknown> {
  const byName = new Map<string, { step: StepDeclaration; run: (input: never, context: StepContext) => Promise<unknown> }>();
  for (const [key, step] of Object.entries(declaration.steps)) {
    if (step.mode === 'async') throw new Error(`function ${declaration.name}: step ${step.name} is asynchronous; write its handler with asyncActivityHandler`);
    byName.set(step.name, { step, run: implementations[key as keyof S] });
  }
  const only = byName.size === 1 ? [...byName.keys()][0] : undefined;

  return async (event, context): Promise<unknown> => {
    const base = { function: declaration.name, requestId: context.awsRequestId };
    let log = stepLogger(base);
    try {
      const raw = await unwrapEnvelope(event);
      const stepName = event.meta.step ?? legacyStepOf(declaration, raw) ?? only;
      const entry = stepName === undefined ? undefined : byName.get(stepName);
      if (entry === undefined) {
        throw invalidInvocation(`function ${declaration.name} has no step ${JSON.stringify(stepName ?? null)}; its steps: ${[...byName.keys()].join(', ')}`);
      }
      const { workflowId, runId, activityId, attempt } = event.meta;
      log = stepLogger({ ...base, step: entry.step.name, workflowId, runId, activityId, attempt });
      const parsed = entry.step.input.safeParse(raw);
      if (!parsed.success) {
        const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
        throw invalidInput(declaration.invalidInputError ?? 'InvalidStepInput', `${entry.step.name}: invalid input: ${where}`);
      }
      const output = await entry.run(parsed.data as never, { meta: event.meta, lambda: context, step: entry.step, log });
      return await wrapResult(output);
    } catch (err) {
      throw toWireError(classify(err, stepNameFor(declaration, event, only), declaration, log));
    }
  };
}

/** The step an envelope from the generic activity asks for, by the `op` its input carries. */
function legacyStepOf(declaration: FunctionDeclaration, input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || !('op' in input)) return undefined;
  const op = input.op;
  return Object.values(declaration.steps).find((step) => step.legacyOp !== undefined && step.legacyOp === op)?.name;
}

function stepNameFor(declaration: FunctionDeclaration, event: InvocationEnvelope<unknown> | undefined, only: string | undefined): string | undefined {
  if (event?.meta?.step !== undefined) return event.meta.step;
  return (event && 'input' in event ? legacyStepOf(declaration, event.input) : undefined) ?? only;
}

/** Marks declared non-retryable errors as such; logs errors the step does not declare. */
function classify(err: unknown, stepName: string | undefined, declaration: FunctionDeclaration, log: StepLogger): unknown {
  const name = errorNameOf(err);
  const step = Object.values(declaration.steps).find((s) => s.name === stepName);
  const policy = step?.errors[name];
  if (policy === 'nonRetryable' && !isMarkedNonRetryable(err) && err instanceof Error) nonRetryable(err);
  const fields = { error: name, message: err instanceof Error ? err.message : String(err) };
  if (policy === undefined && isMarkedNonRetryable(err) && name !== 'InvalidInvocation' && name !== (declaration.invalidInputError ?? 'InvalidStepInput')) {
    log.warn('step failed with an error its declaration does not list', fields);
  } else {
    log.warn('step failed', { ...fields, nonRetryable: isMarkedNonRetryable(err) });
  }
  return err;
}

function stepLogger(base: Record<string, unknown>): StepLogger {
  const write = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields });
    if (level === 'info') console.log(line);
    else console.error(line);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

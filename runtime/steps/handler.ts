import type { Logger } from '@aws-lambda-powertools/logger';
import { parse } from '@aws-lambda-powertools/parser';
import type { Context as LambdaContext } from 'aws-lambda';
import type { InvocationEnvelope, InvocationMeta } from '../lambda/envelope';
import { errorNameOf, isMarkedNonRetryable, nonRetryable, nonRetryableError, toWireError } from '../lambda/errors';
import { invalidInvocation, unwrapEnvelope, wrapResult } from '../lambda/handler';
import type { FunctionDeclaration, StepDeclaration, StepInput, StepOutput } from './declare';
import { FAULTS_VARIABLE, faultFor, inflict } from './fault-injection';
import { StepTelemetry } from './telemetry';

/** What a step's implementation receives besides its input. */
export interface StepContext {
  meta: InvocationMeta;
  lambda: LambdaContext;
  /** The step being run (its declaration). */
  step: StepDeclaration;
  /** JSON log lines carrying the workflow id (as the correlation id), run id, activity id, attempt, step and request id. */
  log: StepLogger;
}

/** Powertools' Logger: `log.info(message, { field: value })`, with the call's ids on every line. */
export type StepLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** One implementation per declared step, typed by its declaration. */
export type StepImplementations<S extends Record<string, StepDeclaration>> = {
  [K in keyof S]: (input: StepInput<S[K]>, context: StepContext) => Promise<StepOutput<S[K]>>;
};

/**
 * The Lambda handler of a declared function: takes the worker's envelope, finds the step it asks
 * for (`meta.step`, else the step whose `legacyOp` is the input's `op`, else the function's only step), parses
 * the input with the step's schema (Powertools' Parser), runs the implementation and returns its
 * result (through S3 when it is above the claim-check threshold). Each invocation logs, measures
 * and traces with Powertools (./telemetry.ts).
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

  const telemetry = new StepTelemetry(declaration.name);

  return async (event, context): Promise<unknown> => {
    const started = Date.now();
    telemetry.begin(context);
    const log = telemetry.log;
    let stepName: string | undefined;
    try {
      const raw = await unwrapEnvelope(event);
      stepName = event.meta.step ?? legacyStepOf(declaration, raw) ?? only;
      const entry = stepName === undefined ? undefined : byName.get(stepName);
      if (entry === undefined) {
        throw invalidInvocation(`function ${declaration.name} has no step ${JSON.stringify(stepName ?? null)}; its steps: ${[...byName.keys()].join(', ')}`);
      }
      telemetry.identify(event.meta, entry.step.name);
      const parsed = parse(raw, undefined, entry.step.input, true);
      if (!parsed.success) {
        // Named by the declaration: a retry cannot fix an input that does not parse.
        throw nonRetryableError(declaration.invalidInputError ?? 'InvalidStepInput', `${entry.step.name}: invalid input: ${describeIssues(parsed.error)}`);
      }
      // The fault drill's hook (fault-injection.ts): absent the variable, nothing happens.
      const faults = process.env[FAULTS_VARIABLE];
      const before = faultFor(faults, event.meta, entry.step.name, 'before');
      if (before) await inflict(before, context);
      const output = await telemetry.traced(entry.step.name, event.meta, () => entry.run(parsed.data as never, { meta: event.meta, lambda: context, step: entry.step, log }));
      const after = faultFor(faults, event.meta, entry.step.name, 'after');
      if (after) await inflict(after, context);
      const result = await wrapResult(output);
      telemetry.end(entry.step.name, 'succeeded', Date.now() - started);
      // One line per step run to completion, which the fault drill counts per workflow and step.
      log.info('step succeeded', { durationMs: Date.now() - started });
      return result;
    } catch (err) {
      const wire = toWireError(classify(err, stepName === undefined ? undefined : byName.get(stepName)?.step, declaration, log));
      telemetry.end(stepName, 'failed', Date.now() - started);
      throw wire;
    }
  };
}

type SchemaIssue = { message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> };

/** "cents: Too small: expected number to be >0; account: ...": each schema issue with its field (the parser's error holds them as its cause). */
function describeIssues(error: Error): string {
  if (!Array.isArray(error.cause)) return error.message;
  return (error.cause as SchemaIssue[])
    .map((issue) => `${(issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || '(input)'}: ${issue.message}`)
    .join('; ');
}

/** The step an envelope from the generic activity asks for, by the `op` its input carries. */
function legacyStepOf(declaration: FunctionDeclaration, input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || !('op' in input)) return undefined;
  const op = input.op;
  return Object.values(declaration.steps).find((step) => step.legacyOp !== undefined && step.legacyOp === op)?.name;
}

/** Marks declared non-retryable errors as such; logs errors the step (undefined before it is known) does not declare. */
function classify(err: unknown, step: StepDeclaration | undefined, declaration: FunctionDeclaration, log: StepLogger): unknown {
  const name = errorNameOf(err);
  const policy = step?.errors[name];
  if (policy === 'nonRetryable' && !isMarkedNonRetryable(err) && err instanceof Error) nonRetryable(err);
  const fields = { error: name, reason: err instanceof Error ? err.message : String(err) };
  if (policy === undefined && isMarkedNonRetryable(err) && name !== 'InvalidInvocation' && name !== (declaration.invalidInputError ?? 'InvalidStepInput')) {
    log.warn('step failed with an error its declaration does not list', fields);
  } else {
    log.warn('step failed', { ...fields, nonRetryable: isMarkedNonRetryable(err) });
  }
  return err;
}

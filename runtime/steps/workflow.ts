import { patched, proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { LambdaActivities } from '../lambda/envelope';
import { nonRetryableErrorsOf, type StepDeclaration } from './declare';

/**
 * Steps run as their own activity type (the step's name) from this patch on. Before it, every
 * Lambda step was the one generic `invokeFunction` (or `startFunction`) activity; a workflow that
 * started then replays those commands, so it takes the generic path until it reaches a command
 * its history does not hold yet. The worker registers both. See docs/versioning.md.
 */
export const NAMED_STEPS_PATCH = 'stepless-named-steps';

/**
 * Short synchronous steps may run as local activities from this patch on (`local: true`). A call
 * site switched to local in a running workflow replays the activity it recorded before, and runs
 * local from its first step the history does not hold yet.
 */
export const LOCAL_STEPS_PATCH = 'stepless-local-steps';

/** The default heartbeat timeout of a step through the task queue (the worker heartbeats while the call is in flight). */
const HEARTBEAT_TIMEOUT = '30 seconds';

/** The call site's options: timeouts and retries, next to the step as in any Temporal activity. */
export type StepOptions = RemoteStepOptions | LocalStepOptions;

/** A step scheduled through the task queue (the default): Temporal's activity options. */
export type RemoteStepOptions = Omit<ActivityOptions, 'activityId'> & { local?: false };

/**
 * A step run as a local activity, in the worker that runs the workflow (docs/lambda-activities.md,
 * "Local steps"): no task-queue round trip per step, but it is recorded only when the workflow task
 * completes, so a worker crash mid-step runs it again, and it cannot heartbeat. For short steps only.
 */
export type LocalStepOptions = Omit<LocalActivityOptions, 'activityId'> & { local: true };

/** A declared step as a function of the workflow: typed input in, typed output out. */
export type StepCall<I, O> = (input: I) => Promise<O>;

/**
 * A declared Lambda step, callable from workflow code:
 *
 *   const charge = step(payment.steps.charge, { startToCloseTimeout: '30 seconds', retry });
 *   const receipt = await charge({ orderId, amountCents, currency, card });   // ChargeResult
 *
 * It is scheduled as an activity named after the step (`chargePayment`), which the worker runs by
 * invoking the step's function. The errors the declaration marks non-retryable are added to the
 * retry policy's `nonRetryableErrorTypes`, so the workflow never retries a declined card whatever
 * its own list says. A heartbeat timeout of 30 s is the default: the worker heartbeats while the
 * call is in flight, so a worker that dies mid-call is noticed within it.
 *
 * With `local: true` a sync step runs as a local activity of the same name (LocalStepOptions).
 */
export function step<I, O>(declaration: StepDeclaration<I, O, string>, options: StepOptions): StepCall<I, O> {
  const nonRetryable = [...new Set([...nonRetryableErrorsOf(declaration), ...(options.retry?.nonRetryableErrorTypes ?? [])])];
  const retry = { ...options.retry, nonRetryableErrorTypes: nonRetryable };
  if (options.local !== true) return remoteCall<I, O>(declaration, { heartbeatTimeout: HEARTBEAT_TIMEOUT, ...withoutLocal(options), retry });
  const remote = remoteCall<I, O>(declaration, remoteOptionsOf(declaration, options, retry));
  const local = Reflect.get(proxyLocalActivities<Record<string, (input: I) => Promise<O>>>({ ...withoutLocal(options), retry }), declaration.name) as (input: I) => Promise<O>;
  return async (input: I): Promise<O> => {
    if (patched(LOCAL_STEPS_PATCH)) return local(input);
    // Replaying a history recorded before local steps: the activity it scheduled then.
    return remote(input);
  };
}

/** The step through the task queue: its named activity, or the generic one for histories older than named steps. */
function remoteCall<I, O>(declaration: StepDeclaration<I, O, string>, activityOptions: ActivityOptions): StepCall<I, O> {
  const named = proxyActivities<Record<string, (input: I) => Promise<O>>>(activityOptions);
  const generic = proxyActivities<LambdaActivities>(activityOptions);
  // The proxy answers any name with a function that schedules an activity of that type.
  const call = Reflect.get(named, declaration.name) as (input: I) => Promise<O>;
  const genericCall = declaration.mode === 'async' ? generic.startFunction : generic.invokeFunction;
  return async (input: I): Promise<O> => {
    if (patched(NAMED_STEPS_PATCH)) return call(input);
    // Replaying a history recorded before named steps: the same command it recorded then.
    return (await genericCall({ function: declaration.functionName, input })) as O;
  };
}

/**
 * A local step's options as activity options, for the activity a history recorded before local
 * steps replays; refuses what a local activity cannot do, naming the step and the option.
 */
function remoteOptionsOf(declaration: StepDeclaration, options: LocalStepOptions, retry: ActivityOptions['retry']): ActivityOptions {
  if (declaration.mode === 'async') {
    throw new TypeError(`step ${declaration.name}: local must not be true for an async-mode step: a local activity cannot be completed by the function through Temporal`);
  }
  const extra = Object.keys(options).filter((key) => !LOCAL_OPTION_KEYS.has(key));
  if (extra.length > 0) {
    throw new TypeError(`step ${declaration.name}: ${extra.join(', ')} cannot be set on a local step (local: true); a local activity takes only ${[...LOCAL_OPTION_KEYS].join(', ')}`);
  }
  const { local: _local, localRetryThreshold: _threshold, retry: _retry, ...shared } = options;
  return { heartbeatTimeout: HEARTBEAT_TIMEOUT, ...shared, retry };
}

/** What a local step's options may hold (Temporal's LocalActivityOptions, less activityId, plus `local`). */
const LOCAL_OPTION_KEYS: ReadonlySet<string> = new Set([
  'local',
  'startToCloseTimeout',
  'scheduleToCloseTimeout',
  'scheduleToStartTimeout',
  'localRetryThreshold',
  'retry',
  'cancellationType',
  'summary',
]);

function withoutLocal<T extends { local?: boolean }>(options: T): Omit<T, 'local'> {
  const { local: _local, ...rest } = options;
  return rest;
}

import { patched, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { LambdaActivities } from '../lambda/envelope';
import { nonRetryableErrorsOf, type StepDeclaration } from './declare';

/**
 * Steps run as their own activity type (the step's name) from this patch on. Before it, every
 * Lambda step was the one generic `invokeFunction` (or `startFunction`) activity; a workflow that
 * started then replays those commands, so it takes the generic path until it reaches a command
 * its history does not hold yet. The worker registers both. See docs/versioning.md.
 */
export const NAMED_STEPS_PATCH = 'stepless-named-steps';

/** The call site's options: timeouts and retries, next to the step as in any Temporal activity. */
export type StepOptions = Omit<ActivityOptions, 'activityId'>;

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
 */
export function step<I, O>(declaration: StepDeclaration<I, O, string>, options: StepOptions): StepCall<I, O> {
  const nonRetryable = [...new Set([...nonRetryableErrorsOf(declaration), ...(options.retry?.nonRetryableErrorTypes ?? [])])];
  const activityOptions: ActivityOptions = {
    heartbeatTimeout: '30 seconds',
    ...options,
    retry: { ...options.retry, nonRetryableErrorTypes: nonRetryable },
  };
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

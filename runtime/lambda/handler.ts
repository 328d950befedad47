import type { Context as LambdaContext } from 'aws-lambda';
import type { InvocationEnvelope, InvocationMeta } from './envelope';

/**
 * The handler side of a Lambda-backed activity: unwraps the envelope the worker sends and hands
 * the input and invocation metadata to `fn`. What `fn` throws becomes the activity's failure,
 * typed by the error's `name`.
 */
export function activityHandler<I, O>(
  fn: (input: I, meta: InvocationMeta, context: LambdaContext) => Promise<O>,
): (event: InvocationEnvelope<I>, context: LambdaContext) => Promise<O> {
  return async (event, context) => {
    if (event === null || typeof event !== 'object' || !('input' in event) || !('meta' in event)) {
      const error = new Error('expected an invocation envelope { input, meta } from the stepless worker');
      error.name = 'InvalidInvocation';
      throw error;
    }
    return fn(event.input, event.meta, context);
  };
}

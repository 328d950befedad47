import { S3Client } from '@aws-sdk/client-s3';
import type { Context as LambdaContext } from 'aws-lambda';
import { ClaimCheckStore, DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES } from '../claim-check/store';
import type { ClaimCheckedResult, InvocationEnvelope, InvocationMeta } from './envelope';
import { nonRetryableError, toWireError } from './errors';

export { nonRetryable } from './errors';

let store: ClaimCheckStore | undefined;

/** The claim-check store of this function, from CLAIM_CHECK_BUCKET; undefined if none is configured. */
export function handlerClaimCheckStore(): ClaimCheckStore | undefined {
  const bucket = process.env.CLAIM_CHECK_BUCKET;
  if (!bucket) return undefined;
  store ??= new ClaimCheckStore({ s3: new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }), bucket });
  return store;
}

/** A malformed invocation: retrying it cannot help. */
export function invalidInvocation(message: string): Error {
  return nonRetryableError('InvalidInvocation', message);
}

/** The envelope's input, fetched from S3 when it was passed by reference. */
export async function unwrapEnvelope<I>(event: InvocationEnvelope<I>): Promise<I> {
  if (event === null || typeof event !== 'object' || !('meta' in event) || !('input' in event || 'inputRef' in event)) {
    throw invalidInvocation('expected an invocation envelope { input | inputRef, meta } from the stepless worker');
  }
  if ('inputRef' in event) {
    const checks = handlerClaimCheckStore();
    if (checks === undefined) throw invalidInvocation('the input was passed by reference but CLAIM_CHECK_BUCKET is not set for this function');
    return JSON.parse(Buffer.from(await checks.get(event.inputRef)).toString('utf8')) as I;
  }
  return event.input;
}

/** The result as returned to the worker: by reference through S3 when above the claim-check threshold. */
export async function wrapResult<O>(output: O): Promise<O | ClaimCheckedResult> {
  const checks = handlerClaimCheckStore();
  if (checks === undefined) return output;
  const bytes = Buffer.from(JSON.stringify(output) ?? 'null');
  const threshold = Number(process.env.CLAIM_CHECK_THRESHOLD_BYTES ?? DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES);
  if (bytes.byteLength <= threshold) return output;
  return { steplessClaimCheck: await checks.put(bytes) };
}

export type ActivityFn<I, O> = (input: I, meta: InvocationMeta, context: LambdaContext) => Promise<O>;

/**
 * The handler side of a Lambda-backed activity: unwraps the envelope the worker sends (fetching an
 * input passed by reference from S3) and hands the input and invocation metadata to `fn`. A result
 * above the claim-check threshold goes back by reference too.
 *
 * What `fn` throws becomes the activity's failure, typed by the error's `name`
 * (`class PaymentDeclined extends Error { name = 'PaymentDeclined' }` → type `PaymentDeclined`).
 * Retryable by default; `throw nonRetryable(new PaymentDeclined(...))`, or an error with
 * `nonRetryable: true`, fails the activity for good (it travels as `NonRetryable:PaymentDeclined`).
 */
export function activityHandler<I, O>(fn: ActivityFn<I, O>): (event: InvocationEnvelope<I>, context: LambdaContext) => Promise<O | ClaimCheckedResult> {
  return async (event, context) => {
    try {
      const input = await unwrapEnvelope(event);
      return await wrapResult(await fn(input, event.meta, context));
    } catch (err) {
      throw toWireError(err);
    }
  };
}

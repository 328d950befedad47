import { S3Client } from '@aws-sdk/client-s3';
import type { Context as LambdaContext } from 'aws-lambda';
import { ClaimCheckStore, DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES } from '../claim-check/store';
import type { ClaimCheckedResult, InvocationEnvelope, InvocationMeta } from './envelope';

let store: ClaimCheckStore | undefined;

/** The claim-check store of this function, from CLAIM_CHECK_BUCKET; undefined if none is configured. */
function claimCheckStore(): ClaimCheckStore | undefined {
  const bucket = process.env.CLAIM_CHECK_BUCKET;
  if (!bucket) return undefined;
  store ??= new ClaimCheckStore({ s3: new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }), bucket });
  return store;
}

function invalid(message: string): Error {
  const error = new Error(message);
  error.name = 'InvalidInvocation';
  return error;
}

/**
 * The handler side of a Lambda-backed activity: unwraps the envelope the worker sends (fetching an
 * input passed by reference from S3) and hands the input and invocation metadata to `fn`. A result
 * above the claim-check threshold goes back by reference too. What `fn` throws becomes the
 * activity's failure, typed by the error's `name`.
 */
export function activityHandler<I, O>(
  fn: (input: I, meta: InvocationMeta, context: LambdaContext) => Promise<O>,
): (event: InvocationEnvelope<I>, context: LambdaContext) => Promise<O | ClaimCheckedResult> {
  return async (event, context) => {
    if (event === null || typeof event !== 'object' || !('meta' in event) || !('input' in event || 'inputRef' in event)) {
      throw invalid('expected an invocation envelope { input | inputRef, meta } from the stepless worker');
    }
    let input: I;
    if ('inputRef' in event) {
      const checks = claimCheckStore();
      if (checks === undefined) throw invalid('the input was passed by reference but CLAIM_CHECK_BUCKET is not set for this function');
      input = JSON.parse(Buffer.from(await checks.get(event.inputRef)).toString('utf8')) as I;
    } else {
      input = event.input;
    }
    const output = await fn(input, event.meta, context);
    const checks = claimCheckStore();
    if (checks === undefined) return output;
    const bytes = Buffer.from(JSON.stringify(output) ?? 'null');
    const threshold = Number(process.env.CLAIM_CHECK_THRESHOLD_BYTES ?? DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES);
    if (bytes.byteLength <= threshold) return output;
    return { steplessClaimCheck: await checks.put(bytes) };
  };
}

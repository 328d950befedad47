/** Thin helpers over the S3 client: error classification, paginated listing, batched deletes. */
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client, type _Object } from '@aws-sdk/client-s3';

interface AwsErrorShape {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(err: unknown): number | undefined {
  return (err as AwsErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** GetObject says NoSuchKey, HeadObject (no body) says NotFound; both are a 404. */
export function isNotFound(err: unknown): boolean {
  const name = (err as AwsErrorShape | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || status(err) === 404;
}

/** If-None-Match: * lost: the object exists (412), or a concurrent conditional write is in flight (409). */
export function isConditionalWriteConflict(err: unknown): boolean {
  const name = (err as AwsErrorShape | undefined)?.name;
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status(err) === 412 || status(err) === 409;
}

/** Every object under a prefix, in S3's (lexicographic) order, across as many pages as it takes. */
export async function* listObjects(s3: S3Client, bucket: string, prefix: string, signal?: AbortSignal): AsyncGenerator<_Object> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
    for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object;
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

export async function listKeys(s3: S3Client, bucket: string, prefix: string, signal?: AbortSignal): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of listObjects(s3, bucket, prefix, signal)) keys.push(object.Key as string);
  return keys;
}

/** Deletes keys 1000 at a time (DeleteObjects' limit); a per-key failure is an error, not a shrug. */
export async function deleteKeys(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const detail = failed.slice(0, 5).map((e) => `${e.Key ?? '?'}: ${e.Code ?? '?'} ${e.Message ?? ''}`.trim());
      throw new Error(`S3 refused to delete ${failed.length} of ${batch.length} objects in bucket "${bucket}": ${detail.join('; ')}`);
    }
  }
}

/** Runs `fn` over items with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // After a failure the caller gets the error at once; the other workers stop taking items.
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

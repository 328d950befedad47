// Lambda handlers that integration tests bundle with esbuild and deploy on the fly (not workflow code).
import { createHash } from 'node:crypto';
import { activityHandler } from '../../../runtime/lambda/handler';
import type { TransformInput, TransformResult } from '../fixtures/transform-workflow';

/** Upper-cases its input and reports the hash of what it received. Bundled by the test with esbuild. */
export const handler = activityHandler<TransformInput, TransformResult>((input) =>
  Promise.resolve({ data: input.data.toUpperCase(), inputSha256: createHash('sha256').update(input.data).digest('hex') }),
);

import { CreateFunctionCommand, LambdaClient, type Runtime, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import JSZip from 'jszip';

/** Lambda functions that tests create on the fly from source text, as real zip deployments. */
export const TEST_ROLE = 'arn:aws:iam::000000000000:role/stepless-test';

export async function zipOf(files: Record<string, string>): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [path, content] of Object.entries(files)) zip.file(path, content);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

export interface NodeFunctionOptions {
  handler?: string;
  runtime?: Runtime;
  timeout?: number;
  /** MB; the executor sizes the Node.js heap from it, as Lambda does. Default 256. */
  memorySize?: number;
  env?: Record<string, string>;
  /** Wait until the function is Active (default true). */
  waitActive?: boolean;
}

export async function createNodeFunction(lambda: LambdaClient, name: string, files: Record<string, string>, opts: NodeFunctionOptions = {}): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: opts.runtime ?? 'nodejs20.x',
      Handler: opts.handler ?? 'index.handler',
      Role: TEST_ROLE,
      Code: { ZipFile: await zipOf(files) },
      Timeout: opts.timeout ?? 10,
      MemorySize: opts.memorySize ?? 256,
      Environment: { Variables: opts.env ?? {} },
    }),
  );
  if (opts.waitActive !== false) {
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { FunctionName: name });
  }
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { build } from 'esbuild';
import { temporalAddress } from '../../infra/local/config';
import { payloadDataConverter } from '../../runtime/data-converter';
import { ClaimCheckStore } from '../../runtime/claim-check/store';
import { createLambdaActivities } from '../../runtime/lambda/activity';
import { createNodeFunction } from '../support/functions';
import { lambda, s3, stack, temporalClient } from '../support/stack';
import type { transformThroughLambda } from './fixtures/transform-workflow';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Payloads of any size: 100 MB goes into a workflow, through a Lambda step and back, although
 * Temporal refuses payloads over 2 MB and Lambda invocations over 6 MB. Nothing in the workflow or
 * the handler deals with it: the claim-check codec and the Lambda bridge move it through S3.
 */
describe('claim check: 100 MB through a workflow step and back', () => {
  const functionName = `transform-${randomUUID().slice(0, 8)}`;
  const taskQueue = `claim-check-${randomUUID()}`;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [require.resolve('./functions/transform-handler.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      write: false,
    });
    await createNodeFunction(lambda(), functionName, { 'index.js': bundle.outputFiles[0]!.text }, {
      timeout: 300,
      // 100 MB of input, its upper-cased copy and their JSON: as on Lambda, that needs a large function.
      memorySize: 3008,
      env: { CLAIM_CHECK_BUCKET: stack().DataBucketName, S3_FORCE_PATH_STYLE: 'true' },
    });
  });

  afterAll(async () => {
    await lambda().send(new DeleteFunctionCommand({ FunctionName: functionName }));
  });

  jest.setTimeout(300_000);

  it('returns the transformed 100 MB intact, with a history that holds only references', async () => {
    const data = randomBytes(50 * 1024 * 1024).toString('hex'); // 100 MiB of text
    const bucket = stack().DataBucketName;
    const store = new ClaimCheckStore({ s3: s3(), bucket });
    const connection = await NativeConnection.connect({ address: temporalAddress });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/transform-workflow'),
      activities: createLambdaActivities({ lambda: lambda(), functions: { transform: functionName }, claimChecks: { store } }),
      dataConverter: payloadDataConverter({ CLAIM_CHECK_BUCKET: bucket }, { s3: s3() }),
      // The workflow sandbox decodes and parses the 100 MB value itself, and the SDK allows each
      // activation 5 s, which a busy 2-core machine can exceed; debug mode lifts that limit.
      debugMode: true,
    });
    const { client, close } = await temporalClient();
    try {
      const workflowId = `claim-check-${randomUUID()}`;
      const result = await worker.runUntil(
        client.workflow.execute<typeof transformThroughLambda>('transformThroughLambda', {
          taskQueue,
          workflowId,
          args: [{ data }],
          // Each workflow task materialises 100 MB in the workflow sandbox (download, hash check,
          // JSON parse); on a busy 2-core machine that can pass the default 10 s task timeout.
          workflowTaskTimeout: '1 minute',
        }),
      );
      expect(result.inputSha256).toBe(sha256(data));
      expect(result.data.length).toBe(data.length);
      expect(sha256(result.data)).toBe(sha256(data.toUpperCase()));

      // Temporal stored references, not 100 MB: the whole history is a few kilobytes.
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      expect(temporal.api.history.v1.History.encode(history).finish().byteLength).toBeLessThan(64 * 1024);

      // The workflow input is in S3 under its own SHA-256, written once for every hop that carried it.
      const inputJson = JSON.stringify({ data });
      const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: `claim-checks/sha256/${sha256(inputJson)}` }));
      expect(head.ContentLength).toBe(Buffer.byteLength(inputJson));
    } finally {
      await close();
      await connection.close();
    }
  });
});

import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { activityHandler } from '../../runtime/lambda/handler';
import { dynamo, requireEnv, s3 } from '../shared/aws';
import { createLogger } from '../shared/log';
import type { TextStatsInput, TextStatsResult } from './contract';
import { computeTextStats } from './stats';

/**
 * The walking skeleton's unit of real work: word statistics of a text, with the full report
 * written to S3 and a summary record to DynamoDB. Both writes are keyed by job id, so a retried
 * invocation overwrites rather than duplicates.
 */
export const handler = activityHandler<TextStatsInput, TextStatsResult>(async (input, meta, context) => {
  const log = createLogger({ workflowId: meta.workflowId, runId: meta.runId, activityId: meta.activityId, requestId: context.awsRequestId });
  const bucket = requireEnv('DATA_BUCKET');
  const table = requireEnv('JOBS_TABLE');
  log.info('text-stats started', { jobId: input.jobId, attempt: meta.attempt, bytes: Buffer.byteLength(input.text) });

  const stats = computeTextStats(input.text);
  const key = `reports/${input.jobId}.json`;
  const result: TextStatsResult = { jobId: input.jobId, ...stats, report: { bucket, key } };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify({ ...result, generatedAt: new Date().toISOString() }, null, 2),
      ContentType: 'application/json',
    }),
  );
  await dynamo.send(
    new PutCommand({
      TableName: table,
      Item: {
        jobId: input.jobId,
        workflowId: meta.workflowId,
        runId: meta.runId,
        words: stats.words,
        sha256: stats.sha256,
        reportKey: key,
        completedAt: new Date().toISOString(),
      },
    }),
  );
  log.info('text-stats finished', { jobId: input.jobId, words: stats.words, reportKey: key });
  return result;
});

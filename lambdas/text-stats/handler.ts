import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { functionHandler } from '../../runtime/steps/handler';
import { dynamo, requireEnv, s3 } from '../shared/aws';
import { computeTextStats } from './stats';
import { textStats, type TextStatsResult } from './steps';

/**
 * The walking skeleton's unit of real work: word statistics of a text, with the full report
 * written to S3 and a summary record to DynamoDB. Both writes are keyed by job id, so a retried
 * invocation overwrites rather than duplicates.
 */
export const handler = functionHandler(textStats, {
  async compute(input, { meta, log }) {
    const bucket = requireEnv('DATA_BUCKET');
    const table = requireEnv('JOBS_TABLE');
    log.info('text-stats started', { jobId: input.jobId, bytes: Buffer.byteLength(input.text) });

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
  },
});

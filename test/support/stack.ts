import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { localAwsClientConfig, temporalAddress } from '../../infra/local/config';
import { readStackOutputs } from '../../infra/local/deploy';
import { payloadDataConverter } from '../../runtime/data-converter';

/** Clients for the shared local cloud, configured the way a user's own code would be. */
const aws = localAwsClientConfig;

export const stack = () => readStackOutputs();
export const s3 = () => new S3Client({ ...aws, forcePathStyle: true });
export const dynamo = () => DynamoDBDocumentClient.from(new DynamoDBClient(aws));
export const lambda = () => new LambdaClient(aws);
export const logs = () => new CloudWatchLogsClient(aws);

export async function temporalClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: temporalAddress });
  const dataConverter = payloadDataConverter({ CLAIM_CHECK_BUCKET: stack().DataBucketName }, { s3: s3() });
  return { client: new Client({ connection, dataConverter }), close: () => connection.close() };
}

/**
 * Where the local cloud listens. One place, read by the launcher, the worker, the tests and the
 * scripts, so a port changed here (or by environment variable) is changed everywhere.
 */
const port = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port number (1-65535), got "${raw}"`);
  }
  return value;
};

export const temporalPort = port('STEPLESS_TEMPORAL_PORT', 7233);
/** The Temporal CLI serves its Web UI on the frontend port + 1000 by default; we keep that convention. */
export const temporalUiPort = port('STEPLESS_TEMPORAL_UI_PORT', temporalPort + 1000);
export const localstackPort = port('STEPLESS_LOCALSTACK_PORT', 4566);

export const temporalAddress = `127.0.0.1:${temporalPort}`;
export const temporalUiUrl = `http://localhost:${temporalUiPort}`;
export const awsEndpoint = `http://127.0.0.1:${localstackPort}`;
export const awsRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
export const temporalNamespace = process.env.TEMPORAL_NAMESPACE ?? 'default';

/** AWS SDK client settings for the local cloud, for code that runs outside it (scripts, tests). */
export const localAwsClientConfig = {
  endpoint: awsEndpoint,
  region: awsRegion,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

/** The CloudWatch Logs group the local worker ships its log to (on AWS, the ECS service's group). */
export const workerLogGroup = '/stepless/local/worker';

/** LocalStack accepts any credentials; these are the conventional ones. */
export const localAwsEnv: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: awsRegion,
  AWS_DEFAULT_REGION: awsRegion,
  AWS_ENDPOINT_URL: awsEndpoint,
  AWS_ENDPOINT_URL_S3: awsEndpoint,
};

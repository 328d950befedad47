import { claimCheckThreshold } from '../runtime/data-converter';
import { temporalConnectionFromEnv, type TemporalConnectionSettings } from '../runtime/temporal-connection';
import { DEFAULT_TASK_QUEUE } from '../workflows/names';

export interface WorkerConfig {
  /** Address, namespace and credentials (TEMPORAL_*: runtime/temporal-connection.ts). */
  temporal: TemporalConnectionSettings;
  taskQueue: string;
  /** Logical function name → deployed Lambda function name or ARN. */
  functions: Record<string, string>;
  /** How long in-flight activities get to finish on SIGTERM before they are handed back. */
  shutdownGraceMs: number;
  /** S3 bucket for payloads above `claimCheckThresholdBytes`; none: payloads stay inline. */
  claimCheckBucket?: string;
  claimCheckThresholdBytes: number;
}

/** Reads the worker's configuration from its environment; every error names the variable and the rule. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const rawFunctions = env.STEPLESS_FUNCTIONS;
  if (rawFunctions === undefined || rawFunctions === '') {
    throw new Error('STEPLESS_FUNCTIONS is not set: it must be a JSON object mapping logical function names to Lambda function names (the stack output WorkerFunctions)');
  }
  let functions: unknown;
  try {
    functions = JSON.parse(rawFunctions);
  } catch (err) {
    throw new Error(`STEPLESS_FUNCTIONS is not valid JSON: ${(err as Error).message}`);
  }
  if (functions === null || typeof functions !== 'object' || Array.isArray(functions) || !Object.values(functions).every((v) => typeof v === 'string' && v !== '')) {
    throw new Error('STEPLESS_FUNCTIONS must be a JSON object whose values are non-empty strings, e.g. {"textStats":"my-fn"}');
  }
  const grace = env.WORKER_SHUTDOWN_GRACE_MS ?? '10000';
  const shutdownGraceMs = Number(grace);
  if (!Number.isInteger(shutdownGraceMs) || shutdownGraceMs < 0) {
    throw new Error(`WORKER_SHUTDOWN_GRACE_MS must be a whole number of milliseconds ≥ 0, got "${grace}"`);
  }
  return {
    temporal: temporalConnectionFromEnv(env),
    taskQueue: env.TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    functions: functions as Record<string, string>,
    shutdownGraceMs,
    ...(env.CLAIM_CHECK_BUCKET ? { claimCheckBucket: env.CLAIM_CHECK_BUCKET } : {}),
    claimCheckThresholdBytes: claimCheckThreshold(env),
  };
}

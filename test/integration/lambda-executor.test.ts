/**
 * The Docker-free Lambda executor (infra/local/lambda-executor, LocalStack's
 * LAMBDA_RUNTIME_EXECUTOR=stepless-host), exercised only through the Lambda and CloudWatch Logs
 * APIs, the way the project's own code uses Lambda. Each run creates its own functions, named
 * `lx-<run id>-<case>`, from zips built here, and deletes them (and their log groups) at the end.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, DeleteLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { awsRegion, localAwsClientConfig } from '../../infra/local/config';
import { lambdaCapacityEnv } from '../../infra/local/localstack';
import { createNodeFunction, type NodeFunctionOptions } from '../support/functions';

jest.setTimeout(180_000);

const clientConfig = {
  ...localAwsClientConfig,
  // a retried invoke would hide what the executor did with the first one
  maxAttempts: 1,
};
const lambda = new LambdaClient(clientConfig);
const logs = new CloudWatchLogsClient(clientConfig);

const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const created: string[] = [];

/** When each invocation ran, in which process. */
const SPAN_HANDLER = `
exports.handler = async (event) => {
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  return { pid: process.pid, startedAt, endedAt: Date.now() };
};
`;

/** A CommonJS handler with a knob for every behaviour under test. */
const BASIC_HANDLER = `
let counter = 0;
console.log('module init of', process.env.AWS_LAMBDA_FUNCTION_NAME);
exports.handler = async (event, context) => {
  counter += 1;
  if (event.log) console.log(event.log);
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.throw) {
    const err = new Error(event.throw);
    err.name = 'CustomError';
    throw err;
  }
  if (event.exit !== undefined) process.exit(event.exit);
  return {
    pid: process.pid,
    counter,
    myVar: process.env.MY_VAR,
    remaining: context.getRemainingTimeInMillis(),
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    logGroupName: context.logGroupName,
    callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    handler: process.env._HANDLER,
    functionTimeout: process.env.AWS_LAMBDA_FUNCTION_TIMEOUT,
    awsEndpointUrl: process.env.AWS_ENDPOINT_URL,
    cwd: process.cwd(),
  };
};
exports.callback = (event, context, callback) => {
  setTimeout(() => callback(null, { via: 'callback', echo: event }), 20);
};
`;

const ESM_HANDLER = `
import { createHash } from 'node:crypto';
const loadedAt = Date.now();
export const handler = async (event) => ({
  esm: typeof import.meta.url,
  digest: createHash('sha256').update(String(event.text)).digest('hex').slice(0, 8),
  loadedAt,
});
`;

interface BasicResult {
  pid: number;
  counter: number;
  myVar?: string;
  remaining: number;
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  memoryLimitInMB: string;
  invokedFunctionArn: string;
  logGroupName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  taskRoot: string;
  handler: string;
  functionTimeout: string;
  awsEndpointUrl?: string;
  cwd: string;
}

interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

const fn = (name: string): string => `lx-${runId}-${name}`;


async function createFunction(name: string, files: Record<string, string>, opts: NodeFunctionOptions = {}): Promise<void> {
  await createNodeFunction(lambda, name, files, opts);
  created.push(name);
}

async function invoke(
  name: string,
  payload: unknown = {},
  extra: { event?: boolean; tail?: boolean } = {},
): Promise<{ res: InvokeCommandOutput; body: string; ms: number }> {
  const started = Date.now();
  const res = await lambda.send(
    new InvokeCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(payload)),
      InvocationType: extra.event ? 'Event' : 'RequestResponse',
      LogType: extra.tail ? 'Tail' : 'None',
    }),
  );
  return { res, body: Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8'), ms: Date.now() - started };
}

async function invokeOk<T>(name: string, payload: unknown = {}): Promise<T> {
  const { res, body } = await invoke(name, payload);
  if (res.FunctionError) throw new Error(`${name} failed (${res.FunctionError}): ${body}`);
  return JSON.parse(body) as T;
}

/** Log lines of the function's group containing `text`, polled until present (logs arrive asynchronously). */
async function waitForLogLines(name: string, text: string, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, filterPattern: `"${text}"` }));
      const lines = (out.events ?? []).map((e) => e.message ?? '').filter((m) => m.includes(text));
      if (lines.length > 0) return lines;
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    }
    if (Date.now() > deadline) throw new Error(`no log line containing "${text}" in /aws/lambda/${name} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  const basic = { 'index.js': BASIC_HANDLER };
  await Promise.all([
    createFunction(fn('basic'), basic, { timeout: 5, env: { MY_VAR: 'from-config' } }),
    createFunction(fn('callback'), basic, { handler: 'index.callback' }),
    createFunction(fn('timeout'), basic, { timeout: 2 }),
    createFunction(fn('crash'), basic),
    createFunction(fn('concurrent'), basic),
    createFunction(fn('capped'), { 'index.js': SPAN_HANDLER }, { timeout: 30 }),
    createFunction(fn('logs'), basic),
    createFunction(fn('esm'), { 'app.mjs': ESM_HANDLER }, { handler: 'app.handler', runtime: 'nodejs22.x' }),
    createFunction(fn('missing'), { 'other.js': 'exports.other = () => 1;\n' }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled(
    created.flatMap((name) => [
      lambda.send(new DeleteFunctionCommand({ FunctionName: name })),
      logs.send(new DeleteLogGroupCommand({ logGroupName: `/aws/lambda/${name}` })),
    ]),
  );
  lambda.destroy();
  logs.destroy();
});

describe('stepless-host Lambda executor', () => {
  test('returns the handler result, with the function configuration and a Lambda context', async () => {
    const name = fn('basic');
    const { res, body } = await invoke(name, { hello: 'world' });
    expect(res.StatusCode).toBe(200);
    expect(res.FunctionError).toBeUndefined();
    const out = JSON.parse(body) as BasicResult;

    expect(out.myVar).toBe('from-config');
    expect(out.handler).toBe('index.handler');
    expect(out.functionTimeout).toBe('5');
    expect(out.functionName).toBe(name);
    expect(out.functionVersion).toBe('$LATEST');
    expect(out.memoryLimitInMB).toBe('256');
    expect(out.invokedFunctionArn).toMatch(new RegExp(`^arn:aws:lambda:${awsRegion}:\\d{12}:function:${name}$`));
    expect(out.logGroupName).toBe(`/aws/lambda/${name}`);
    expect(out.callbackWaitsForEmptyEventLoop).toBe(true);
    expect(out.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.awsRequestId).toBe(res.$metadata.requestId);
    // the handler sees the service endpoint, so SDK clients inside it reach LocalStack
    expect(out.awsEndpointUrl).toMatch(/^http:\/\/[\w.[\]:-]+:\d+$/);
    // LAMBDA_TASK_ROOT is the unzipped code, and the working directory, as on Lambda
    expect(existsSync(join(out.taskRoot, 'index.js'))).toBe(true);
    expect(out.cwd).toBe(out.taskRoot);
    // 5 s configured; some of it is already spent
    expect(out.remaining).toBeGreaterThan(3000);
    expect(out.remaining).toBeLessThanOrEqual(5000);
  });

  test('reuses a warm environment: the process and its module state survive between invocations', async () => {
    const name = fn('basic');
    const first = await invokeOk<BasicResult>(name);
    const second = await invokeOk<BasicResult>(name);
    expect(second.pid).toBe(first.pid);
    expect(second.counter).toBe(first.counter + 1);
  });

  test('reports a thrown error as an unhandled function error with its type and message', async () => {
    const { res, body } = await invoke(fn('basic'), { throw: 'boom' });
    expect(res.StatusCode).toBe(200);
    expect(res.FunctionError).toBe('Unhandled');
    const err = JSON.parse(body) as LambdaError;
    expect(err.errorType).toBe('CustomError');
    expect(err.errorMessage).toBe('boom');
    expect(err.trace?.[0]).toBe('CustomError: boom');
  });

  test('supports callback-style handlers', async () => {
    const out = await invokeOk<{ via: string; echo: unknown }>(fn('callback'), { n: 7 });
    expect(out).toEqual({ via: 'callback', echo: { n: 7 } });
  });

  test('runs an ES module handler (.mjs) on a nodejs22.x function', async () => {
    const out = await invokeOk<{ esm: string; digest: string }>(fn('esm'), { text: 'abc' });
    expect(out.esm).toBe('string');
    expect(out.digest).toBe('ba7816bf');
  });

  test('kills a run past the configured timeout, and the next invocation gets a fresh process', async () => {
    const name = fn('timeout');
    const before = await invokeOk<BasicResult>(name);
    const { res, body, ms } = await invoke(name, { sleepMs: 10_000 });
    expect(res.FunctionError).toBe('Unhandled');
    const err = JSON.parse(body) as LambdaError;
    expect(err.errorType).toBe('Sandbox.Timedout');
    expect(err.errorMessage).toMatch(/Task timed out after 2\.00 seconds/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(6000);

    const after = await invokeOk<BasicResult>(name);
    expect(after.pid).not.toBe(before.pid);
    expect(after.counter).toBe(1);
  });

  test('reports a runtime process that exits during an invocation, then recovers', async () => {
    const name = fn('crash');
    const before = await invokeOk<BasicResult>(name);
    const { res, body, ms } = await invoke(name, { exit: 1 });
    expect(res.FunctionError).toBe('Unhandled');
    const err = JSON.parse(body) as LambdaError;
    expect(err.errorType).toBe('Runtime.ExitError');
    expect(err.errorMessage).toMatch(/Runtime exited with error: exit status 1/);
    expect(ms).toBeLessThan(5000); // reported, not left to the 10 s timeout

    const after = await invokeOk<BasicResult>(name);
    expect(after.pid).not.toBe(before.pid);
  });

  test('fails with an init error when the handler module is missing', async () => {
    const { res, body } = await invoke(fn('missing'));
    expect(res.FunctionError).toBe('Unhandled');
    const err = JSON.parse(body) as LambdaError;
    expect(err.errorType).toBe('Runtime.ImportModuleError');
    expect(err.errorMessage).toMatch(/Cannot find module 'index'/);
  });

  test('runs concurrent invocations in separate environments', async () => {
    const name = fn('concurrent');
    const started = Date.now();
    const results = await Promise.all([0, 1, 2].map(() => invokeOk<BasicResult>(name, { sleepMs: 3000 })));
    const elapsed = Date.now() - started;
    expect(new Set(results.map((r) => r.pid)).size).toBe(3);
    // in series this takes at least 9 s
    expect(elapsed).toBeLessThan(7000);
  });

  test('keeps at most the per-function cap of environments alive; invocations beyond it wait for one to become idle', async () => {
    const cap = Number(lambdaCapacityEnv(process.env).STEPLESS_LAMBDA_MAX_ENVIRONMENTS_PER_FUNCTION);
    const name = fn('capped');
    const spans = await Promise.all(Array.from({ length: cap + 2 }, () => invokeOk<{ pid: number; startedAt: number; endedAt: number }>(name, { sleepMs: 1500 })));
    // At no moment did more than `cap` invocations (hence environments) of the function run at once.
    const overlapAt = (t: number) => spans.filter((s) => s.startedAt <= t && t < s.endedAt).length;
    expect(Math.max(...spans.map((s) => overlapAt(s.startedAt)))).toBeLessThanOrEqual(cap);
    // The two beyond the cap started once an earlier invocation had ended, in a new process (the idle one was stopped).
    const late = [...spans].sort((a, b) => a.startedAt - b.startedAt).slice(cap);
    const firstEnd = Math.min(...spans.map((s) => s.endedAt));
    for (const s of late) expect(s.startedAt).toBeGreaterThanOrEqual(firstEnd);
  });

  test('sends console output with START/END/REPORT lines to CloudWatch Logs', async () => {
    const name = fn('logs');
    const marker = `log-marker-${runId}`;
    const { res, body } = await invoke(name, { log: marker }, { tail: true });
    expect(res.FunctionError).toBeUndefined();
    const { awsRequestId } = JSON.parse(body) as BasicResult;

    // LogType=Tail returns the end of this invocation's log
    const tail = Buffer.from(res.LogResult ?? '', 'base64').toString('utf8');
    expect(tail).toContain(`START RequestId: ${awsRequestId}`);
    expect(tail).toContain(marker);
    expect(tail).toContain(`END RequestId: ${awsRequestId}`);
    expect(tail).toMatch(new RegExp(`REPORT RequestId: ${awsRequestId}\\tDuration: [\\d.]+ ms`));

    const [line] = await waitForLogLines(name, marker);
    // Lambda's Node.js format: timestamp, request id, level, message
    expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${awsRequestId}\\tINFO\\t${marker}`));
    const report = await waitForLogLines(name, `REPORT RequestId: ${awsRequestId}`);
    expect(report[0]).toMatch(/Billed Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/);
  });

  test('runs asynchronous (Event) invocations', async () => {
    const name = fn('logs');
    const marker = `event-marker-${runId}`;
    const { res } = await invoke(name, { log: marker }, { event: true });
    expect(res.StatusCode).toBe(202);
    const lines = await waitForLogLines(name, marker);
    expect(lines.length).toBeGreaterThanOrEqual(1);
  });

  test('refuses a function of a runtime it cannot run, naming the runtime', async () => {
    const name = fn('python');
    await createFunction(name, { 'index.py': 'def handler(event, context):\n    return 1\n' }, { runtime: 'python3.12', waitActive: false });
    const deadline = Date.now() + 60_000;
    let config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    while (config.State === 'Pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    }
    expect(config.State).toBe('Failed');
    expect(config.StateReason).toContain('python3.12');
  });
});

import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { workerLogGroup } from '../infra/local/config';
import { LOCAL_STACK_NAME } from '../infra/local/deploy';
import { runMain } from './run-main';
import { findDeployedStack, StackOutputsError, type AwsClientConfig, type DeployedStack } from './stack-outputs';

/**
 * `npm run logs -- [--stack <name> [--region <region>]] [--source <name>[,<name>]] [--workflow <id>]
 * [--since 15m] [--follow] [--json]`: the worker's and the Lambda functions' CloudWatch Logs groups,
 * merged into one timeline in time order. Without --stack, the local stack on LocalStack; with it, a
 * deployed stack on AWS (default credential chain and region), whose `LogGroups` output lists them.
 */
export const USAGE =
  'usage: npm run logs -- [--stack <name> [--region <region>]] [--source <name>[,<name>]] [--workflow <id>] [--since 15m] [--follow] [--json]';

export interface LogsOptions {
  stack?: string;
  region?: string;
  /** The sources to merge; all of the stack's when undefined. */
  sources?: string[];
  workflow?: string;
  sinceMs: number;
  follow: boolean;
  json: boolean;
}

/** A mistake on the command line, or a source the stack does not have; shown without a stack trace. */
export class LogsUsageError extends Error {
  override readonly name = 'LogsUsageError';
}

export function parseSince(value: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(value);
  if (!match) throw new LogsUsageError(`--since must be a number followed by s, m, h or d (e.g. 15m), got "${value}"`);
  const unit = { s: 1000, m: 60000, h: 3600000, d: 86400000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** The command line (without node and the script) as options; a mistake is a LogsUsageError naming it. */
export function parseLogsArgs(args: string[]): LogsOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: 'string' },
        region: { type: 'string' },
        source: { type: 'string', multiple: true },
        workflow: { type: 'string' },
        since: { type: 'string', default: '1h' },
        follow: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new LogsUsageError(`${(err as Error).message}\n${USAGE}`);
  }
  for (const name of ['stack', 'region', 'workflow'] as const) {
    if (values[name] === '') throw new LogsUsageError(`--${name} needs a value\n${USAGE}`);
  }
  if (values.region !== undefined && values.stack === undefined) {
    throw new LogsUsageError(`--region needs --stack <name>: the local stack is always reached through LocalStack\n${USAGE}`);
  }
  const sources = values.source?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (sources !== undefined && sources.length === 0) throw new LogsUsageError(`--source needs at least one source name\n${USAGE}`);
  return {
    ...(values.stack !== undefined ? { stack: values.stack } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(sources !== undefined ? { sources: [...new Set(sources)] } : {}),
    ...(values.workflow !== undefined ? { workflow: values.workflow } : {}),
    sinceMs: parseSince(values.since),
    follow: values.follow,
    json: values.json,
  };
}

/**
 * The stack's log groups by source name: its `LogGroups` output, or for a stack deployed before that
 * output existed, the single-group outputs it has. The local worker runs outside the stack, on this
 * machine, and ships its log to `workerLogGroup`, so the local stack lists no worker of its own.
 */
export function logGroupsOf(stack: Pick<DeployedStack, 'name' | 'outputs'>): Record<string, string> {
  const { outputs } = stack;
  let groups: Record<string, string>;
  if (outputs.LogGroups !== undefined) {
    groups = parseLogGroups(outputs.LogGroups, stack.name);
  } else {
    groups = {};
    for (const [source, output] of [['worker', 'WorkerLogGroup'], ['api', 'ApiLogGroup'], ['textStats', 'TextStatsLogGroup']] as const) {
      const group = outputs[output];
      if (group) groups[source] = group;
    }
  }
  if (groups.worker === undefined && stack.name === LOCAL_STACK_NAME) groups = { worker: workerLogGroup, ...groups };
  if (Object.keys(groups).length === 0) {
    throw new StackOutputsError(`stack ${stack.name} lists no log groups (no LogGroups, ApiLogGroup or TextStatsLogGroup output); redeploy it`);
  }
  return groups;
}

function parseLogGroups(json: string, stackName: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new StackOutputsError(`stack ${stackName}'s LogGroups output should be a JSON object of source name to log group, got ${json}`);
  }
  return parsed as Record<string, string>;
}

/** The groups of the sources asked for (all when `wanted` is undefined); an unknown name lists the known ones. */
export function selectSources(groups: Record<string, string>, wanted: string[] | undefined): Record<string, string> {
  if (wanted === undefined) return groups;
  const unknown = wanted.filter((s) => !Object.hasOwn(groups, s));
  if (unknown.length > 0) {
    const names = unknown.map((s) => `"${s}"`).join(', ');
    throw new LogsUsageError(`unknown source${unknown.length > 1 ? 's' : ''} ${names}; known sources: ${Object.keys(groups).sort().join(', ')}`);
  }
  return Object.fromEntries(wanted.map((s) => [s, groups[s]!]));
}

interface LogLine {
  time: number;
  source: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** The JSON object a structured log line carries, wherever the runtime's prefix ends. */
function jsonPart(message: string): Record<string, unknown> | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(message.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function logLines(client: CloudWatchLogsClient, groups: Record<string, string>, sinceMs: number): Promise<LogLine[]> {
  const perGroup = await Promise.all(
    Object.entries(groups).map(async ([source, group]) => {
      const lines: LogLine[] = [];
      let nextToken: string | undefined;
      do {
        // A group appears with its function's first log line; until then it has nothing to show.
        const res = await client
          .send(new FilterLogEventsCommand({ logGroupName: group, startTime: sinceMs, nextToken }))
          .catch((err: Error) => (err.name === 'ResourceNotFoundException' ? { events: [], nextToken: undefined } : Promise.reject(err)));
        for (const e of res.events ?? []) {
          const message = (e.message ?? '').trimEnd();
          lines.push({ time: e.timestamp ?? 0, source, message, fields: jsonPart(message) });
        }
        nextToken = res.nextToken;
      } while (nextToken);
      return lines;
    }),
  );
  return perGroup.flat();
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Keys not repeated after the message: the worker's (time, level, msg) and Powertools' in the
 * functions (timestamp, level, message, and per-invocation constants shown by the source column).
 */
const SHOWN_ELSEWHERE = ['time', 'timestamp', 'level', 'msg', 'message', 'source', 'service', 'sampling_rate', 'correlation_id'];

function format(line: LogLine, sourceWidth: number): string {
  const f = line.fields;
  const text = f
    ? `${show(f.level ?? 'info').toUpperCase().padEnd(5)} ${show(f.msg ?? f.message ?? '')} ${Object.entries(f)
        .filter(([k]) => !SHOWN_ELSEWHERE.includes(k))
        .map(([k, v]) => `${k}=${show(v)}`)
        .join(' ')}`
    : line.message;
  return `${new Date(line.time).toISOString()} ${line.source.padEnd(sourceWidth)} ${text}`;
}

async function printLogs(options: LogsOptions, groups: Record<string, string>, clientConfig: AwsClientConfig): Promise<void> {
  const client = new CloudWatchLogsClient(clientConfig);
  const sourceWidth = Math.max(10, ...Object.keys(groups).map((s) => s.length));
  let since = Date.now() - options.sinceMs;
  const seen = new Set<string>();
  for (;;) {
    const lines = (await logLines(client, groups, since))
      .filter((l) => options.workflow === undefined || l.message.includes(options.workflow))
      .sort((a, b) => a.time - b.time);
    for (const line of lines) {
      const key = `${line.time}|${line.source}|${line.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      console.log(
        options.json
          ? JSON.stringify({ time: new Date(line.time).toISOString(), source: line.source, ...(line.fields ?? { message: line.message }) })
          : format(line, sourceWidth),
      );
    }
    if (!options.follow) return;
    since = Math.max(since, (lines.at(-1)?.time ?? since) - 5000);
    await sleep(2000);
  }
}

if (require.main === module) {
  runMain(async () => {
    try {
      const options = parseLogsArgs(process.argv.slice(2));
      const stack = await findDeployedStack(options);
      await printLogs(options, selectSources(logGroupsOf(stack), options.sources), stack.clientConfig);
    } catch (err) {
      // Mistakes the user fixes get their message alone; anything else reaches runMain with its stack trace.
      if (!(err instanceof LogsUsageError || err instanceof StackOutputsError)) throw err;
      console.error(`\n✖ ${err.message}`);
      process.exitCode = 1;
    }
  });
}

import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { localAwsClientConfig, workerLogGroup } from '../infra/local/config';
import { readStackOutputs } from '../infra/local/deploy';
import { runMain } from './run-main';

/**
 * `npm run logs -- [--workflow <id>] [--since 15m] [--follow] [--json]`: the worker's and the Lambda
 * functions' CloudWatch Logs groups, merged into one timeline in time order.
 */
interface LogLine {
  time: number;
  source: string;
  message: string;
  fields?: Record<string, unknown>;
}

export function parseSince(value: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(value);
  if (!match) throw new Error(`--since must be a number followed by s, m, h or d (e.g. 15m), got "${value}"`);
  const unit = { s: 1000, m: 60000, h: 3600000, d: 86400000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
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

async function logLines(groups: Record<string, string>, sinceMs: number): Promise<LogLine[]> {
  const client = new CloudWatchLogsClient(localAwsClientConfig);
  const lines: LogLine[] = [];
  for (const [source, group] of Object.entries(groups)) {
    let nextToken: string | undefined;
    do {
      const res = await client
        .send(new FilterLogEventsCommand({ logGroupName: group, startTime: sinceMs, nextToken }))
        .catch((err: Error) => (err.name === 'ResourceNotFoundException' ? { events: [], nextToken: undefined } : Promise.reject(err)));
      for (const e of res.events ?? []) {
        const message = (e.message ?? '').trimEnd();
        lines.push({ time: e.timestamp ?? 0, source, message, fields: jsonPart(message) });
      }
      nextToken = res.nextToken;
    } while (nextToken);
  }
  return lines;
}


const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function format(line: LogLine): string {
  const f = line.fields;
  const text = f
    ? `${show(f.level ?? 'info').toUpperCase().padEnd(5)} ${show(f.msg ?? '')} ${Object.entries(f)
        .filter(([k]) => !['time', 'level', 'msg', 'source'].includes(k))
        .map(([k, v]) => `${k}=${show(v)}`)
        .join(' ')}`
    : line.message;
  return `${new Date(line.time).toISOString()} ${line.source.padEnd(10)} ${text}`;
}

runMain(async () => {
  const { values } = parseArgs({
    options: {
      workflow: { type: 'string' },
      since: { type: 'string', default: '1h' },
      follow: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const outputs = readStackOutputs();
  const groups = { worker: workerLogGroup, 'text-stats': outputs.TextStatsLogGroup, api: outputs.ApiLogGroup };
  let since = Date.now() - parseSince(values.since);
  const seen = new Set<string>();
  for (;;) {
    const lines = (await logLines(groups, since))
      .filter((l) => values.workflow === undefined || l.message.includes(values.workflow))
      .sort((a, b) => a.time - b.time);
    for (const line of lines) {
      const key = `${line.time}|${line.source}|${line.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      console.log(values.json ? JSON.stringify({ time: new Date(line.time).toISOString(), source: line.source, ...(line.fields ?? { message: line.message }) }) : format(line));
    }
    if (!values.follow) return;
    since = Math.max(since, (lines.at(-1)?.time ?? since) - 5000);
    await sleep(2000);
  }
});

import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';

/**
 * Ships the worker's JSON log lines to a CloudWatch Logs group in batches, so the worker's log and
 * the Lambda functions' logs can be read with one tool (`npm run logs`). On AWS the ECS awslogs
 * driver does this from stdout and WORKER_LOG_GROUP stays unset; locally the worker ships itself.
 * Shipping never blocks or fails the worker: lines that cannot be sent are dropped with a warning.
 */
export class CloudWatchLogShipper {
  private queue: Array<{ timestamp: number; message: string }> = [];
  private ready: Promise<void> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly logGroupName: string,
    private readonly logStreamName: string,
    flushIntervalMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushIntervalMs);
    this.timer.unref();
  }

  push(timestamp: number, message: string): void {
    this.queue.push({ timestamp, message });
    // PutLogEvents takes at most 10,000 events per call; flush early under a burst.
    if (this.queue.length >= 1000) void this.flush();
  }

  /** Sends what is queued; resolves when it has been sent (or dropped). Calls are serialized. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.send());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async send(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, 10000).sort((a, b) => a.timestamp - b.timestamp);
    try {
      this.ready ??= this.ensureStream();
      await this.ready;
      await this.client.send(new PutLogEventsCommand({ logGroupName: this.logGroupName, logStreamName: this.logStreamName, logEvents: batch }));
    } catch (err) {
      this.ready = undefined;
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg: 'could not ship log lines to CloudWatch Logs', source: 'worker', dropped: batch.length, error: String(err) })}\n`);
    }
  }

  private async ensureStream(): Promise<void> {
    await ignoreExisting(this.client.send(new CreateLogGroupCommand({ logGroupName: this.logGroupName })));
    await ignoreExisting(this.client.send(new CreateLogStreamCommand({ logGroupName: this.logGroupName, logStreamName: this.logStreamName })));
  }
}

async function ignoreExisting(creation: Promise<unknown>): Promise<void> {
  try {
    await creation;
  } catch (err) {
    if (!(err instanceof ResourceAlreadyExistsException) && (err as Error).name !== 'ResourceAlreadyExistsException') throw err;
  }
}

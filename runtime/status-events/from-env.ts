import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Client, type ConnectionLike } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { statusEventsFromEnv } from './config';
import { PublisherLease } from './lease';
import { StatusPublisher, type StatusPublisherLogger } from './publisher';

export interface StatusPublisherDeps {
  /** The worker's connection: the publisher's visibility queries share it. */
  connection: ConnectionLike;
  namespace: string;
  taskQueue: string;
  dataConverter?: DataConverter;
  logger: StatusPublisherLogger;
}

/** The worker's status publisher as its environment configures it (runtime/status-events/config.ts); undefined when off. */
export function statusPublisherFromEnv(env: NodeJS.ProcessEnv, deps: StatusPublisherDeps): StatusPublisher | undefined {
  const settings = statusEventsFromEnv(env);
  if (settings === undefined) return undefined;
  const lease = new PublisherLease({
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    table: settings.table,
    key: `status-publisher#${deps.namespace}#${deps.taskQueue}`,
    owner: `${hostname()}/${process.pid}/${randomUUID()}`,
    leaseMs: settings.leaseMs,
  });
  return new StatusPublisher({
    client: new Client({ connection: deps.connection, namespace: deps.namespace, ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}) }),
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    eventBridge: new EventBridgeClient({}),
    eventBusName: settings.eventBusName,
    lease,
    leaseMs: settings.leaseMs,
    ...(settings.uiBaseUrl ? { uiBaseUrl: settings.uiBaseUrl } : {}),
    pollIntervalMs: settings.pollIntervalMs,
    cursor: { marginMs: settings.marginMs, catchUpWindowMs: settings.catchUpWindowMs },
    putAttempts: settings.putAttempts,
    putBackoffMs: settings.putBackoffMs,
    logger: deps.logger,
  });
}

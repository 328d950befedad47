import { Client, Connection } from '@temporalio/client';
import { payloadDataConverter } from '../../runtime/data-converter';

/** One Temporal client per execution environment, created on first use and reused while warm. */
let client: Promise<Client> | undefined;

export function temporalClient(): Promise<Client> {
  client ??= Connection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    connectTimeout: 5000,
  }).then((connection) => new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: payloadDataConverter() }));
  // A failed connection is not cached: the next request tries again.
  client.catch(() => {
    client = undefined;
  });
  return client;
}

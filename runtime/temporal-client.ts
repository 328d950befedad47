import { Client, Connection } from '@temporalio/client';
import { payloadDataConverter } from './data-converter';
import { temporalConnectionFromEnv } from './temporal-connection';

/** One Temporal client per execution environment, created on first use and reused while warm. */
let client: Promise<Client> | undefined;

/**
 * The client for a function's requests (the API, event triggers): address, namespace and credentials (TLS, mTLS or an API key
 * from Secrets Manager) from TEMPORAL_* (runtime/temporal-connection.ts).
 */
export function temporalClient(): Promise<Client> {
  client ??= (async () => {
    const settings = temporalConnectionFromEnv();
    const connection = await Connection.connect({ ...(await settings.connectionOptions()), connectTimeout: 5000 });
    return new Client({ connection, namespace: settings.namespace, dataConverter: payloadDataConverter() });
  })();
  // A failed connection is not cached: the next request tries again.
  client.catch(() => {
    client = undefined;
  });
  return client;
}

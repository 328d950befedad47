import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State } from '@temporalio/worker';

export interface HealthServer {
  /** The port it listens on (useful when started on port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `GET /healthz` for the ECS container health check: 200 `{"status":"running",...}` while the
 * worker's state is RUNNING, 503 in every other state (starting, stopping, draining, failed), so
 * a worker that is shutting down reports itself unhealthy at once.
 *
 * Listens on the loopback interface only: the container health check runs inside the container,
 * and nothing outside it needs an unauthenticated endpoint on the task's network.
 */
export async function startHealthServer(options: { port: number; state: () => State; taskQueue: string; host?: string }): Promise<HealthServer> {
  const startedAt = Date.now();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no route ${path}: the health check is GET /healthz` }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' }).end(JSON.stringify({ error: `${req.method} is not allowed: use GET /healthz` }));
      return;
    }
    const state = options.state();
    const body = JSON.stringify({ status: state.toLowerCase(), taskQueue: options.taskQueue, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
    res.writeHead(state === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(new Error(`the health server cannot listen on ${host}:${options.port} (WORKER_HEALTH_PORT): ${err.message}`));
    server.once('error', fail);
    server.listen(options.port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A keep-alive connection from a health checker must not hold the worker's exit.
        server.closeAllConnections();
      }),
  };
}

import { spawn } from 'node:child_process';
import type { State } from '@temporalio/worker';
import { startHealthServer } from '../../worker/health';

/** The ECS container health check, verbatim, as the task definition runs it. */
const ECS_HEALTH_CHECK = "fetch('http://127.0.0.1:'+process.env.WORKER_HEALTH_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))";

function ecsHealthCheck(port: number): Promise<number | null> {
  const child = spawn(process.execPath, ['-e', ECS_HEALTH_CHECK], { env: { PATH: process.env.PATH, WORKER_HEALTH_PORT: String(port) }, stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', resolve));
}

describe('GET /healthz', () => {
  let state: State = 'INITIALIZED';
  let server: Awaited<ReturnType<typeof startHealthServer>>;
  const get = (path = '/healthz', method = 'GET') => fetch(`http://127.0.0.1:${server.port}${path}`, { method });

  beforeAll(async () => {
    server = await startHealthServer({ port: 0, state: () => state, taskQueue: 'orders' });
  });
  afterAll(() => server.close());

  it('answers 200 with the status while the worker is RUNNING', async () => {
    state = 'RUNNING';
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ status: 'running', taskQueue: 'orders', uptimeSeconds: expect.any(Number) });
    expect(await ecsHealthCheck(server.port)).toBe(0);
  });

  it.each<State>(['INITIALIZED', 'STOPPING', 'DRAINING', 'DRAINED', 'STOPPED', 'FAILED'])('answers 503 while the worker is %s', async (s) => {
    state = s;
    const res = await get();
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: s.toLowerCase() });
  });

  it('fails the ECS health check when unhealthy', async () => {
    state = 'STOPPING';
    expect(await ecsHealthCheck(server.port)).toBe(1);
  });

  it('answers HEAD like GET, without a body; 404 elsewhere; 405 for other methods', async () => {
    state = 'RUNNING';
    expect((await get('/healthz', 'HEAD')).status).toBe(200);
    expect((await get('/healthz?verbose=1')).status).toBe(200);
    expect((await get('/')).status).toBe(404);
    expect((await get('/healthz', 'POST')).status).toBe(405);
  });

  it('names the variable when its port is taken', async () => {
    await expect(startHealthServer({ port: server.port, state: () => state, taskQueue: 'orders' })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${server.port} \\(WORKER_HEALTH_PORT\\).*EADDRINUSE`),
    );
  });

  it('closes even with a keep-alive connection open, after which the check fails', async () => {
    const other = await startHealthServer({ port: 0, state: () => 'RUNNING', taskQueue: 'orders' });
    await fetch(`http://127.0.0.1:${other.port}/healthz`); // undici keeps the connection alive
    await other.close();
    expect(await ecsHealthCheck(other.port)).toBe(1);
  });
});

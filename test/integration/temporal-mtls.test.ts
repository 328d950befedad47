import { randomBytes, randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { localAwsClientConfig, temporalPort } from '../../infra/local/config';
import { temporalConnectionFromEnv, type TemporalConnectionSettings } from '../../runtime/temporal-connection';
import { createTestPki, type Issued, type TestCa, type TestPki } from '../support/pki';
import type { echo } from './fixtures/echo-workflow';

/**
 * The Temporal connection module (runtime/temporal-connection.ts) against real TLS, with its secrets
 * in Secrets Manager (LocalStack) and the real Temporal dev server behind two stand-ins for
 * Temporal Cloud's front end:
 *
 * - an mTLS-terminating proxy: a Node TLS server that requires a client certificate signed by the
 *   test CA, then pipes the connection's bytes (gRPC over HTTP/2) to the dev server;
 * - an API-key gateway: an HTTP/2 server over TLS that reads each gRPC call's `authorization`
 *   header, answers UNAUTHENTICATED unless it is `Bearer <the key>`, and forwards the call.
 *
 * Certificates are real (ECDSA P-256, made by the openssl CLI); the server certificate names
 * `temporal.test`, which the clients reach through `serverNameOverride` from the secret.
 */
const suffix = randomUUID().slice(0, 8);
const SERVER_NAME = 'temporal.test';
const secretsManager = new SecretsManagerClient(localAwsClientConfig);
const secretArns: string[] = [];

let pki: TestPki;
let ca: TestCa;
let clientCert: Issued;
let rogueClientCert: Issued;
let mtlsProxy: MtlsProxy;
let apiKeyGateway: ApiKeyGateway;
const apiKey = `stepless-test-${randomBytes(24).toString('base64url')}`;

async function createSecret(name: string, value: string): Promise<string> {
  const { ARN } = await secretsManager.send(new CreateSecretCommand({ Name: `stepless-test/${name}-${suffix}`, SecretString: value }));
  if (!ARN) throw new Error('CreateSecret returned no ARN');
  secretArns.push(ARN);
  return ARN;
}

/** The settings exactly as a worker or Lambda function would build them from its environment. */
function settingsFor(env: NodeJS.ProcessEnv): TemporalConnectionSettings {
  return temporalConnectionFromEnv(env, { secretsManager });
}

interface MtlsProxy {
  port: number;
  /** The CN of every client certificate the proxy accepted. */
  accepted: string[];
  /** Every handshake the proxy refused, with OpenSSL's reason. */
  refused: string[];
  close(): Promise<void>;
}

/**
 * A refused client keeps retrying until its connect timeout, and the proxy records each refusal's
 * reason. On a loaded machine (CI, 2 busy cores) the three attempts 3 s allowed were all cut off
 * before OpenSSL gave a reason ("socket hang up"); 8 s lets several handshakes finish.
 */
const REFUSAL_TIMEOUT_MS = 8_000;

function startMtlsProxy(server: Issued, trustedCa: string, upstreamPort: number): Promise<MtlsProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: Omit<MtlsProxy, 'port'> = { accepted: [], refused: [], close: () => Promise.resolve() };
  const tlsServer = tls.createServer(
    { key: server.key, cert: server.cert, ca: [trustedCa], requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
    (socket) => {
      proxy.accepted.push(String(socket.getPeerCertificate().subject?.CN));
      const upstream = net.connect(upstreamPort, '127.0.0.1');
      sockets.add(socket).add(upstream);
      const done = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', done).on('close', done);
      upstream.on('error', done).on('close', done);
      socket.pipe(upstream).pipe(socket);
    },
  );
  tlsServer.on('tlsClientError', (err, socket) => {
    proxy.refused.push(err.message);
    socket.destroy();
  });
  tlsServer.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    tlsServer.listen(0, '127.0.0.1', () => {
      resolve({
        ...proxy,
        port: (tlsServer.address() as AddressInfo).port,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            tlsServer.close(() => done());
          }),
      });
    });
  });
}

interface ApiKeyGateway {
  port: number;
  /** The headers of every call: what the client sent as `authorization` and `temporal-namespace`. */
  calls: { path: string; authorization: string | undefined; namespace: string | undefined; forwarded: boolean }[];
  close(): Promise<void>;
}

function startApiKeyGateway(server: Issued, expectedKey: string, upstreamPort: number): Promise<ApiKeyGateway> {
  const calls: ApiKeyGateway['calls'] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  let upstream: http2.ClientHttp2Session | undefined;
  const upstreamSession = (): http2.ClientHttp2Session => {
    if (upstream === undefined || upstream.closed || upstream.destroyed) {
      upstream = http2.connect(`http://127.0.0.1:${upstreamPort}`);
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const gateway = http2.createSecureServer({ key: server.key, cert: server.cert, ALPNProtocols: ['h2'] });
  gateway.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  gateway.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const authorization = headers.authorization;
    const namespace = headers['temporal-namespace'];
    const forwarded = authorization === `Bearer ${expectedKey}`;
    calls.push({ path: String(headers[':path']), authorization, namespace: typeof namespace === 'string' ? namespace : undefined, forwarded });
    if (!forwarded) {
      // A trailers-only gRPC response, as Temporal Cloud answers a missing or wrong key.
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'missing or wrong API key' }, { endStream: true });
      return;
    }
    const request: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name !== ':scheme' && name !== ':authority' && value !== undefined) request[name] = value;
    }
    const call = upstreamSession().request(request);
    let trailers: http2.OutgoingHttpHeaders = {};
    call.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    call.on('trailers', (received) => {
      trailers = { ...received };
    });
    call.on('response', (responseHeaders, flags) => {
      if ((flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0) {
        stream.respond({ ...responseHeaders }, { endStream: true });
        return;
      }
      stream.respond({ ...responseHeaders }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      call.pipe(stream);
    });
    stream.pipe(call);
  });
  return new Promise((resolve) => {
    gateway.listen(0, '127.0.0.1', () => {
      resolve({
        port: (gateway.address() as AddressInfo).port,
        calls,
        close: () =>
          new Promise((done) => {
            for (const session of sessions) session.destroy();
            upstream?.destroy();
            gateway.close(() => done());
          }),
      });
    });
  });
}

beforeAll(async () => {
  pki = createTestPki();
  ca = pki.createCa('stepless-test-ca');
  const serverCert = ca.issue(SERVER_NAME, 'server', [`DNS:${SERVER_NAME}`, 'IP:127.0.0.1']);
  clientCert = ca.issue('stepless-worker', 'client');
  rogueClientCert = pki.createCa('some-other-ca').issue('intruder', 'client');
  [mtlsProxy, apiKeyGateway] = await Promise.all([startMtlsProxy(serverCert, ca.cert, temporalPort), startApiKeyGateway(serverCert, apiKey, temporalPort)]);
});

afterAll(async () => {
  await Promise.all(secretArns.map((SecretId) => secretsManager.send(new DeleteSecretCommand({ SecretId, ForceDeleteWithoutRecovery: true })).catch(() => undefined)));
  await Promise.all([mtlsProxy?.close(), apiKeyGateway?.close()]);
  pki?.remove();
  secretsManager.destroy();
});

describe('mTLS (Temporal Cloud with client certificates), certificates from Secrets Manager', () => {
  let settings: TemporalConnectionSettings;
  let tlsSecretArn: string;

  beforeAll(async () => {
    tlsSecretArn = await createSecret(
      'temporal-mtls',
      JSON.stringify({ clientCert: clientCert.cert, clientKey: clientCert.key, serverCa: ca.cert, serverNameOverride: SERVER_NAME }),
    );
    settings = settingsFor({ TEMPORAL_ADDRESS: `127.0.0.1:${mtlsProxy.port}`, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TLS_SECRET_ARN: tlsSecretArn });
  });

  it('a client connects through the proxy with the certificate from the secret', async () => {
    const accepted = mtlsProxy.accepted.length;
    const summary = JSON.stringify(settings.describe());
    expect(summary).toContain(tlsSecretArn);
    expect(summary).not.toMatch(/BEGIN|PRIVATE/);

    const connection = await Connection.connect(await settings.connectionOptions());
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    } finally {
      await connection.close();
    }
    expect(mtlsProxy.accepted.slice(accepted)).toContain('stepless-worker');
  });

  it('a worker (NativeConnection) connects the same way and runs a workflow end to end through the proxy', async () => {
    const accepted = mtlsProxy.accepted.length;
    const taskQueue = `temporal-mtls-${suffix}`;
    const nativeConnection = await NativeConnection.connect(await settings.connectionOptions());
    const connection = await Connection.connect(await settings.connectionOptions());
    try {
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace: settings.namespace,
        taskQueue,
        workflowsPath: require.resolve('./fixtures/echo-workflow'),
      });
      const client = new Client({ connection, namespace: settings.namespace });
      const result = await worker.runUntil(
        client.workflow.execute<typeof echo>('echo', { taskQueue, workflowId: `temporal-mtls-${suffix}`, args: ['hello over mTLS'], workflowExecutionTimeout: '1 minute' }),
      );
      expect(result).toBe('hello over mTLS');
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
    // Both the worker's connection (Rust core) and the client's (grpc-js) went through the proxy.
    expect(mtlsProxy.accepted.slice(accepted).filter((cn) => cn === 'stepless-worker').length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a client without a certificate', async () => {
    const refused = mtlsProxy.refused.length;
    const accepted = mtlsProxy.accepted.length;
    // A TLS secret with the CA alone: the client trusts the server but has nothing to present.
    const caOnly = settingsFor({
      TEMPORAL_ADDRESS: `127.0.0.1:${mtlsProxy.port}`,
      TEMPORAL_TLS_SECRET_ARN: await createSecret('temporal-ca-only', JSON.stringify({ serverCa: ca.cert, serverNameOverride: SERVER_NAME })),
    });
    await expect(Connection.connect({ ...(await caOnly.connectionOptions()), connectTimeout: REFUSAL_TIMEOUT_MS })).rejects.toThrow();
    expect(mtlsProxy.accepted.length).toBe(accepted);
    expect(mtlsProxy.refused.slice(refused).join('\n')).toMatch(/certificate/i);
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const refused = mtlsProxy.refused.length;
    const accepted = mtlsProxy.accepted.length;
    const rogue = settingsFor({
      TEMPORAL_ADDRESS: `127.0.0.1:${mtlsProxy.port}`,
      TEMPORAL_TLS_SECRET_ARN: await createSecret(
        'temporal-rogue',
        JSON.stringify({ clientCert: rogueClientCert.cert, clientKey: rogueClientCert.key, serverCa: ca.cert, serverNameOverride: SERVER_NAME }),
      ),
    });
    await expect(Connection.connect({ ...(await rogue.connectionOptions()), connectTimeout: REFUSAL_TIMEOUT_MS })).rejects.toThrow();
    expect(mtlsProxy.accepted.length).toBe(accepted);
    expect(mtlsProxy.refused.slice(refused).join('\n')).toMatch(/certificate|unknown ca/i);
  });

  it('does not trust the proxy without its CA: the client verifies the server too', async () => {
    const accepted = mtlsProxy.accepted.length;
    // The right client certificate, but the server is checked against the system CAs only.
    const noCa = settingsFor({
      TEMPORAL_ADDRESS: `127.0.0.1:${mtlsProxy.port}`,
      TEMPORAL_TLS_SECRET_ARN: await createSecret(
        'temporal-no-ca',
        JSON.stringify({ clientCert: clientCert.cert, clientKey: clientCert.key, serverNameOverride: SERVER_NAME }),
      ),
    });
    await expect(Connection.connect({ ...(await noCa.connectionOptions()), connectTimeout: 3000 })).rejects.toThrow();
    expect(mtlsProxy.accepted.length).toBe(accepted);
  });
});

describe('API key (Temporal Cloud API keys), key from Secrets Manager', () => {
  let keySecretArn: string;
  /**
   * TLS trust for the test gateway. In production the API-key path uses `tls: {}` (the system CAs,
   * which trust Temporal Cloud); here the gateway's certificate comes from the test CA, so the
   * test adds that CA to the options the module returned. Address, API key and headers are the module's.
   */
  const trustTestCa = { serverRootCACertificate: Buffer.alloc(0), serverNameOverride: SERVER_NAME };

  beforeAll(async () => {
    keySecretArn = await createSecret('temporal-api-key', apiKey);
    trustTestCa.serverRootCACertificate = Buffer.from(ca.cert);
  });

  it('sends the key as `authorization: Bearer <key>` on every call, and the namespace header', async () => {
    const settings = settingsFor({ TEMPORAL_ADDRESS: `127.0.0.1:${apiKeyGateway.port}`, TEMPORAL_NAMESPACE: 'default', TEMPORAL_API_KEY_SECRET_ARN: keySecretArn });
    expect(JSON.stringify(settings.describe())).not.toContain(apiKey);
    const options = await settings.connectionOptions();
    expect(options).toMatchObject({ tls: {}, apiKey, metadata: { 'temporal-namespace': 'default' } });

    const first = apiKeyGateway.calls.length;
    const connection = await Connection.connect({ ...options, tls: trustTestCa });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^\d+\.\d+/);
      const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(described.namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
    const calls = apiKeyGateway.calls.slice(first);
    expect(calls.map((c) => c.path)).toEqual(expect.arrayContaining(['/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo', '/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace']));
    for (const call of calls) expect(call).toMatchObject({ authorization: `Bearer ${apiKey}`, namespace: 'default', forwarded: true });
  });

  it('the worker (NativeConnection) sends it too', async () => {
    const settings = settingsFor({ TEMPORAL_ADDRESS: `127.0.0.1:${apiKeyGateway.port}`, TEMPORAL_API_KEY_SECRET_ARN: keySecretArn });
    const first = apiKeyGateway.calls.length;
    // NativeConnection.connect asks the server for its system info: it succeeds only if the gateway forwarded it.
    const nativeConnection = await NativeConnection.connect({ ...(await settings.connectionOptions()), tls: trustTestCa });
    await nativeConnection.close();
    const calls = apiKeyGateway.calls.slice(first);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call).toMatchObject({ authorization: `Bearer ${apiKey}`, forwarded: true });
  });

  it('a wrong key is refused by the gateway (UNAUTHENTICATED)', async () => {
    const settings = settingsFor({ TEMPORAL_ADDRESS: `127.0.0.1:${apiKeyGateway.port}`, TEMPORAL_API_KEY_SECRET_ARN: await createSecret('temporal-wrong-key', 'not-the-key') });
    const first = apiKeyGateway.calls.length;
    const refused = Connection.connect({ ...(await settings.connectionOptions()), tls: trustTestCa, connectTimeout: 3000 });
    // The SDK wraps the gateway's answer: 'Failed to connect to Temporal server', caused by UNAUTHENTICATED (16).
    await expect(refused).rejects.toMatchObject({ cause: expect.objectContaining({ code: 16, details: 'missing or wrong API key' }) });
    expect(apiKeyGateway.calls.slice(first)).toEqual([expect.objectContaining({ authorization: 'Bearer not-the-key', forwarded: false })]);
  });
});

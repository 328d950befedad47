import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  forgetCachedTemporalSecrets,
  parseTlsSecret,
  temporalConnectionFromEnv,
  type TemporalConnectionDeps,
} from '../../runtime/temporal-connection';
import { createTestPki, type Issued, type TestPki } from '../support/pki';

/** The message of what `fn` throws (to check what it does not say). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

const TLS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stepless/temporal-mtls-AbCdEf';
const KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stepless/temporal-api-key-AbCdEf';

/** A Secrets Manager stand-in: answers GetSecretValue from a map and counts the calls. */
function fakeSecrets(values: Record<string, string | Error>): { deps: TemporalConnectionDeps; calls: string[] } {
  const calls: string[] = [];
  const client = {
    send: (command: { input: { SecretId?: string } }) => {
      const id = command.input.SecretId ?? '';
      calls.push(id);
      const value = values[id];
      if (value instanceof Error) return Promise.reject(value);
      if (value === undefined) return Promise.reject(Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' }));
      return Promise.resolve({ SecretString: value });
    },
  };
  return { deps: { secretsManager: client as unknown as SecretsManagerClient }, calls };
}

describe('temporalConnectionFromEnv: reading the environment', () => {
  it('defaults to the local dev server, plaintext, namespace default', async () => {
    const settings = temporalConnectionFromEnv({});
    expect(settings.describe()).toEqual({ address: '127.0.0.1:7233', namespace: 'default', auth: 'plaintext', tls: false });
    await expect(settings.connectionOptions()).resolves.toEqual({ address: '127.0.0.1:7233' });
  });

  it('takes address and namespace; TEMPORAL_TLS=true is TLS with the system CAs', async () => {
    const settings = temporalConnectionFromEnv({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'orders', TEMPORAL_TLS: 'true' });
    expect(settings.namespace).toBe('orders');
    expect(settings.describe()).toEqual({ address: 'temporal.internal:7233', namespace: 'orders', auth: 'tls', tls: true });
    await expect(settings.connectionOptions()).resolves.toEqual({ address: 'temporal.internal:7233', tls: {} });
  });

  it.each([
    [{ NODE_ENV: 'production' }, /TEMPORAL_ADDRESS is not set: it is required in production/],
    [{ TEMPORAL_TLS: 'true' }, /TEMPORAL_ADDRESS is not set: it is required when TEMPORAL_TLS is set/],
    [{ TEMPORAL_TLS_SECRET_ARN: TLS_ARN }, /TEMPORAL_ADDRESS is not set: it is required when TEMPORAL_TLS_SECRET_ARN is set/],
    [{ TEMPORAL_API_KEY_SECRET_ARN: KEY_ARN }, /TEMPORAL_ADDRESS is not set: it is required when TEMPORAL_API_KEY_SECRET_ARN is set/],
    [{ TEMPORAL_ADDRESS: 'https://x.tmprl.cloud:7233' }, /TEMPORAL_ADDRESS must be host:port without a scheme/],
    [{ TEMPORAL_ADDRESS: 'host:99999' }, /TEMPORAL_ADDRESS must be host:port \(port 1-65535\)/],
    [{ TEMPORAL_ADDRESS: 'a host:7233' }, /TEMPORAL_ADDRESS must be host:port/],
    [{ TEMPORAL_NAMESPACE: ' ' }, /TEMPORAL_NAMESPACE must be a non-empty namespace name/],
    [{ TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS must be "true" or "false", got "yes"/],
    [{ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_SECRET_ARN: 'my-secret' }, /TEMPORAL_TLS_SECRET_ARN must be the ARN of a Secrets Manager secret/],
    [{ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_API_KEY_SECRET_ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x' }, /TEMPORAL_API_KEY_SECRET_ARN must be the ARN of a Secrets Manager secret/],
    [{ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_SECRET_ARN: TLS_ARN, TEMPORAL_API_KEY_SECRET_ARN: KEY_ARN }, /TEMPORAL_TLS_SECRET_ARN and TEMPORAL_API_KEY_SECRET_ARN are mutually exclusive/],
    [{ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'false', TEMPORAL_API_KEY_SECRET_ARN: KEY_ARN }, /TEMPORAL_TLS is "false" but TEMPORAL_API_KEY_SECRET_ARN is set/],
    [{ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_API_KEY: 'sk-live-123' }, /TEMPORAL_API_KEY is not supported: .*TEMPORAL_API_KEY_SECRET_ARN/],
  ])('rejects %j, naming the variable and the rule', (env, message) => {
    expect(() => temporalConnectionFromEnv(env)).toThrow(message);
  });

  it('never repeats a plain-text API key found in the environment', () => {
    expect(messageOf(() => temporalConnectionFromEnv({ TEMPORAL_API_KEY: 'sk-live-123' }))).not.toContain('sk-live-123');
  });

  it('accepts host names, IPv4, bracketed IPv6, and an address without a port', () => {
    for (const address of ['my-ns.a1b2c.tmprl.cloud:7233', '10.0.0.5:7233', '[::1]:7233', 'temporal.internal']) {
      expect(temporalConnectionFromEnv({ TEMPORAL_ADDRESS: address }).address).toBe(address);
    }
  });

  it('describe() names the secret ARNs and the kind, and is plain JSON', () => {
    const mtls = temporalConnectionFromEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_TLS_SECRET_ARN: TLS_ARN });
    expect(mtls.describe()).toEqual({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', auth: 'tls-secret', tls: true, tlsSecretArn: TLS_ARN });
    const apiKey = temporalConnectionFromEnv({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY_SECRET_ARN: KEY_ARN, TEMPORAL_TLS: 'true' });
    expect(apiKey.describe()).toEqual({ address: 'eu-west-1.aws.api.temporal.io:7233', namespace: 'ns.acct', auth: 'api-key', tls: true, apiKeySecretArn: KEY_ARN });
    expect(JSON.parse(JSON.stringify(apiKey.describe()))).toEqual(apiKey.describe());
  });
});

describe('temporalConnectionFromEnv: secrets', () => {
  let pki: TestPki;
  let client: Issued;
  let other: Issued;
  let caPem: string;

  beforeAll(() => {
    pki = createTestPki();
    const ca = pki.createCa('unit-ca');
    caPem = ca.cert;
    client = ca.issue('worker', 'client');
    other = ca.issue('someone-else', 'client');
  });
  afterAll(() => pki.remove());
  beforeEach(() => forgetCachedTemporalSecrets());

  const mtlsEnv = { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_TLS_SECRET_ARN: TLS_ARN };

  it('builds mTLS options from the secret, fetching it once per process', async () => {
    const secret = JSON.stringify({ clientCert: client.cert, clientKey: client.key, serverCa: caPem, serverNameOverride: 'temporal.test' });
    const { deps, calls } = fakeSecrets({ [TLS_ARN]: secret });
    const settings = temporalConnectionFromEnv(mtlsEnv, deps);
    const options = await settings.connectionOptions();
    expect(options).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {
        clientCertPair: { crt: Buffer.from(client.cert), key: Buffer.from(client.key) },
        serverRootCACertificate: Buffer.from(caPem),
        serverNameOverride: 'temporal.test',
      },
    });
    // A second settings object in the same process (another client, a warm Lambda) reuses the fetch.
    await temporalConnectionFromEnv(mtlsEnv, deps).connectionOptions();
    expect(calls).toEqual([TLS_ARN]);
    expect(JSON.stringify(settings.describe())).not.toContain('PRIVATE KEY');
  });

  it('a TLS secret may hold only a private CA (self-hosted TLS, no client certificate)', async () => {
    const { deps } = fakeSecrets({ [TLS_ARN]: JSON.stringify({ serverCa: caPem }) });
    await expect(temporalConnectionFromEnv(mtlsEnv, deps).connectionOptions()).resolves.toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: { serverRootCACertificate: Buffer.from(caPem) },
    });
  });

  it('builds API-key options: TLS on, the key, and the namespace header', async () => {
    const { deps } = fakeSecrets({ [KEY_ARN]: 'eyJhbGciOi.key-value\n' });
    const settings = temporalConnectionFromEnv({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY_SECRET_ARN: KEY_ARN }, deps);
    await expect(settings.connectionOptions()).resolves.toEqual({
      address: 'eu-west-1.aws.api.temporal.io:7233',
      tls: {},
      apiKey: 'eyJhbGciOi.key-value',
      metadata: { 'temporal-namespace': 'ns.acct' },
    });
  });

  it('does not cache a failed fetch: the next call tries again', async () => {
    let fail = true;
    const calls: string[] = [];
    const secretsManager = {
      send: () => {
        calls.push('get');
        if (fail) return Promise.reject(Object.assign(new Error('User is not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
        return Promise.resolve({ SecretString: 'the-key' });
      },
    } as unknown as SecretsManagerClient;
    const settings = temporalConnectionFromEnv({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_API_KEY_SECRET_ARN: KEY_ARN }, { secretsManager });
    await expect(settings.connectionOptions()).rejects.toThrow(
      `cannot read the secret ${KEY_ARN} (TEMPORAL_API_KEY_SECRET_ARN) from Secrets Manager: AccessDeniedException: User is not authorized`,
    );
    fail = false;
    await expect(settings.connectionOptions()).resolves.toMatchObject({ apiKey: 'the-key' });
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['{"apiKey":"k"}', /holds JSON: store the API key itself/],
    ['two words', /must hold one API key, without spaces/],
  ])('rejects the API-key secret %j without quoting it', async (value, message) => {
    const { deps } = fakeSecrets({ [KEY_ARN]: value });
    const attempt = temporalConnectionFromEnv({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_API_KEY_SECRET_ARN: KEY_ARN }, deps).connectionOptions();
    await expect(attempt).rejects.toThrow(message);
    expect(await attempt.catch((err: Error) => err.message)).not.toContain(value);
  });

  describe('parseTlsSecret', () => {
    const parse = (value: unknown) => () => parseTlsSecret(typeof value === 'string' ? value : JSON.stringify(value), TLS_ARN);

    it.each<[string, () => unknown, RegExp]>([
      ['not JSON', () => 'clientCert=abc', /is not valid JSON: expected \{"clientCert": PEM/],
      ['an array', () => [1], /must be a JSON object/],
      ['an unknown field', () => ({ clientCert: client.cert, clientKey: client.key, cert: 'x' }), /unknown field\(s\) cert/],
      ['a cert without its key', () => ({ clientCert: client.cert }), /clientCert and clientKey go together \(both PEM\), found only clientCert/],
      ['a key without its cert', () => ({ clientKey: client.key }), /found only clientKey/],
      ['nothing usable', () => ({ serverNameOverride: 'x' }), /must hold clientCert and clientKey \(mTLS\), serverCa \(a private CA\), or both/],
      ['a non-string field', () => ({ clientCert: client.cert, clientKey: client.key, serverCa: 42 }), /serverCa must be a non-empty string/],
      ['a cert that is not PEM', () => ({ clientCert: 'MIIB...', clientKey: client.key }), /clientCert is not a PEM X.509 certificate/],
      ['a key that is not PEM', () => ({ clientCert: client.cert, clientKey: 'secret-key-material' }), /clientKey is not a PEM private key/],
      ['the key of another certificate', () => ({ clientCert: client.cert, clientKey: other.key }), /clientKey is not the private key of clientCert/],
      ['a CA that is not PEM', () => ({ serverCa: 'nope' }), /serverCa is not a PEM X.509 certificate/],
    ])('rejects %s, naming the secret and the field', (_what, value, message) => {
      expect(parse(value())).toThrow(message);
      expect(parse(value())).toThrow(TLS_ARN);
    });

    it('never quotes the secret in its errors', () => {
      const leaky = `{"clientKey": ${JSON.stringify(client.key)}, oops}`;
      expect(messageOf(parse(leaky))).not.toContain('PRIVATE KEY');
      expect(messageOf(parse({ clientCert: client.cert, clientKey: 'secret-key-material' }))).not.toContain('secret-key-material');
    });
  });
});

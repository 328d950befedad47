import { X509Certificate, createPrivateKey } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TLSConfig } from '@temporalio/client';

/**
 * How every part of Stepless reaches Temporal: the worker (NativeConnection), the API function and
 * the asynchronous Lambda handlers (Connection). One reading of the environment, one set of rules:
 *
 * | variable | meaning |
 * | --- | --- |
 * | TEMPORAL_ADDRESS | `host:port` of the frontend; required in production (NODE_ENV=production) and whenever TLS or an API key is configured; locally 127.0.0.1:7233 |
 * | TEMPORAL_NAMESPACE | default `default` |
 * | TEMPORAL_TLS | `true`: TLS, server verified against the system CAs; `false`: plaintext (the default, unless a secret below implies TLS) |
 * | TEMPORAL_TLS_SECRET_ARN | a Secrets Manager secret, JSON `{"clientCert","clientKey","serverCa"?,"serverNameOverride"?}` (PEM): mTLS, and/or a private CA; implies TLS |
 * | TEMPORAL_API_KEY_SECRET_ARN | a Secrets Manager secret whose string is an API key, sent as `authorization: Bearer <key>`; implies TLS |
 *
 * Secrets never sit in the environment (TEMPORAL_API_KEY is refused) and never reach a log or an
 * error message: `describe()` is the loggable summary (address, namespace, kind, secret ARNs).
 * Fetched secrets are kept for the life of the process (a Lambda container while it is warm).
 */

export type TemporalAuth =
  | { kind: 'plaintext' }
  /** TLS, server certificate verified against the system's CAs. */
  | { kind: 'tls' }
  /** TLS configured from a secret: a client certificate (mTLS), and/or a private server CA. */
  | { kind: 'tls-secret'; secretArn: string }
  | { kind: 'api-key'; secretArn: string };

export interface TemporalConnectionSummary {
  address: string;
  namespace: string;
  /** 'plaintext' | 'tls' | 'tls-secret' | 'api-key'. */
  auth: TemporalAuth['kind'];
  tls: boolean;
  tlsSecretArn?: string;
  apiKeySecretArn?: string;
}

/** What both `NativeConnection.connect` (worker) and `Connection.connect` (client) accept. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalConnectionSettings {
  readonly address: string;
  readonly namespace: string;
  readonly auth: TemporalAuth;
  /** A summary safe to log: no secret contents. */
  describe(): TemporalConnectionSummary;
  /** The connection options, with the secrets fetched (once per process) from Secrets Manager. */
  connectionOptions(): Promise<TemporalConnectionOptions>;
}

export interface TemporalConnectionDeps {
  /** Default: a client configured from the environment (region, credentials, AWS_ENDPOINT_URL). */
  secretsManager?: SecretsManagerClient;
}

export const LOCAL_TEMPORAL_ADDRESS = '127.0.0.1:7233';
/** A Secrets Manager secret ARN, complete or partial (the stack checks its context values with it too). */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;

/** Reads and validates the environment; fetches nothing. Every error names the variable and the rule. */
export function temporalConnectionFromEnv(env: NodeJS.ProcessEnv = process.env, deps: TemporalConnectionDeps = {}): TemporalConnectionSettings {
  if (env.TEMPORAL_API_KEY !== undefined) {
    throw new Error(
      'TEMPORAL_API_KEY is not supported: an API key must not sit in the environment in plain text; store it in AWS Secrets Manager and set TEMPORAL_API_KEY_SECRET_ARN to the secret\'s ARN',
    );
  }
  const tlsFlag = optional(env, 'TEMPORAL_TLS');
  if (tlsFlag !== undefined && tlsFlag !== 'true' && tlsFlag !== 'false') {
    throw new Error(`TEMPORAL_TLS must be "true" or "false", got "${tlsFlag}"`);
  }
  const tlsSecretArn = secretArn(env, 'TEMPORAL_TLS_SECRET_ARN');
  const apiKeySecretArn = secretArn(env, 'TEMPORAL_API_KEY_SECRET_ARN');
  if (tlsSecretArn !== undefined && apiKeySecretArn !== undefined) {
    throw new Error(
      'TEMPORAL_TLS_SECRET_ARN and TEMPORAL_API_KEY_SECRET_ARN are mutually exclusive: authenticate with a client certificate (mTLS) or with an API key, not both',
    );
  }
  const secretVar = tlsSecretArn !== undefined ? 'TEMPORAL_TLS_SECRET_ARN' : apiKeySecretArn !== undefined ? 'TEMPORAL_API_KEY_SECRET_ARN' : undefined;
  if (tlsFlag === 'false' && secretVar !== undefined) {
    throw new Error(`TEMPORAL_TLS is "false" but ${secretVar} is set, which needs TLS: remove TEMPORAL_TLS or set it to "true"`);
  }
  const auth: TemporalAuth =
    tlsSecretArn !== undefined
      ? { kind: 'tls-secret', secretArn: tlsSecretArn }
      : apiKeySecretArn !== undefined
        ? { kind: 'api-key', secretArn: apiKeySecretArn }
        : tlsFlag === 'true'
          ? { kind: 'tls' }
          : { kind: 'plaintext' };

  const rawAddress = optional(env, 'TEMPORAL_ADDRESS');
  if (rawAddress === undefined) {
    if (env.NODE_ENV === 'production') {
      throw new Error('TEMPORAL_ADDRESS is not set: it is required in production (NODE_ENV=production), e.g. my-ns.a1b2c.tmprl.cloud:7233 or temporal.internal:7233');
    }
    if (auth.kind !== 'plaintext') {
      throw new Error(`TEMPORAL_ADDRESS is not set: it is required when ${secretVar ?? 'TEMPORAL_TLS'} is set (the local default ${LOCAL_TEMPORAL_ADDRESS} has no TLS)`);
    }
  }
  const address = rawAddress === undefined ? LOCAL_TEMPORAL_ADDRESS : validAddress(rawAddress);

  const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
  if (namespace.trim() === '' || namespace !== namespace.trim()) {
    throw new Error(`TEMPORAL_NAMESPACE must be a non-empty namespace name without surrounding spaces, got "${namespace}"`);
  }

  const summary: TemporalConnectionSummary = {
    address,
    namespace,
    auth: auth.kind,
    tls: auth.kind !== 'plaintext',
    ...(tlsSecretArn !== undefined ? { tlsSecretArn } : {}),
    ...(apiKeySecretArn !== undefined ? { apiKeySecretArn } : {}),
  };
  return {
    address,
    namespace,
    auth,
    describe: () => ({ ...summary }),
    connectionOptions: () => connectionOptions(address, namespace, auth, deps),
  };
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function secretArn(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = optional(env, name);
  if (value !== undefined && !SECRET_ARN.test(value)) {
    throw new Error(`${name} must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got "${value}"`);
  }
  return value;
}

function validAddress(raw: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new Error(`TEMPORAL_ADDRESS must be host:port without a scheme (TLS is set by TEMPORAL_TLS or a secret), got "${raw}"`);
  }
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d+))?$/.exec(raw);
  const port = match?.[2] === undefined ? 7233 : Number(match[2]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`TEMPORAL_ADDRESS must be host:port (port 1-65535), e.g. my-ns.a1b2c.tmprl.cloud:7233, got "${raw}"`);
  }
  return raw;
}

async function connectionOptions(address: string, namespace: string, auth: TemporalAuth, deps: TemporalConnectionDeps): Promise<TemporalConnectionOptions> {
  switch (auth.kind) {
    case 'plaintext':
      return { address };
    case 'tls':
      return { address, tls: {} };
    case 'tls-secret':
      return { address, tls: await tlsSecret(auth.secretArn, deps) };
    case 'api-key':
      return {
        address,
        tls: {},
        apiKey: await apiKeySecret(auth.secretArn, deps),
        // Temporal Cloud routes API-key requests by this header (required on its regional endpoints).
        metadata: { 'temporal-namespace': namespace },
      };
  }
}

/** Secret strings by ARN, fetched once per process; a failed fetch is forgotten so the next call retries. */
const secretCache = new Map<string, Promise<string>>();
let defaultClient: SecretsManagerClient | undefined;

/** Forgets the fetched secrets (for tests, and for a process that must pick up a rotated secret). */
export function forgetCachedTemporalSecrets(): void {
  secretCache.clear();
}

function secretString(arn: string, variable: string, deps: TemporalConnectionDeps): Promise<string> {
  let cached = secretCache.get(arn);
  if (cached === undefined) {
    const client = deps.secretsManager ?? (defaultClient ??= new SecretsManagerClient({}));
    cached = client.send(new GetSecretValueCommand({ SecretId: arn })).then(
      (res) => {
        if (typeof res.SecretString !== 'string' || res.SecretString === '') {
          throw new Error(`the secret ${arn} (${variable}) has no SecretString: store it as text (create-secret --secret-string), not as binary`);
        }
        return res.SecretString;
      },
      (err: unknown) => {
        const name = (err as { name?: string })?.name ?? 'Error';
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(`cannot read the secret ${arn} (${variable}) from Secrets Manager: ${name}: ${message}`, { cause: err });
      },
    );
    secretCache.set(arn, cached);
    cached.catch(() => {
      if (secretCache.get(arn) === cached) secretCache.delete(arn);
    });
  }
  return cached;
}

async function apiKeySecret(arn: string, deps: TemporalConnectionDeps): Promise<string> {
  const key = (await secretString(arn, 'TEMPORAL_API_KEY_SECRET_ARN', deps)).trim();
  if (key.startsWith('{')) {
    throw new Error(`the secret ${arn} (TEMPORAL_API_KEY_SECRET_ARN) holds JSON: store the API key itself as the secret string (create-secret --secret-string "$KEY")`);
  }
  if (key === '' || /\s/.test(key)) {
    throw new Error(`the secret ${arn} (TEMPORAL_API_KEY_SECRET_ARN) must hold one API key, without spaces or line breaks`);
  }
  return key;
}

/** Parses and checks the TLS secret; errors say which field is wrong, never what it holds. */
export function parseTlsSecret(secret: string, arn: string): TLSConfig {
  const where = `the secret ${arn} (TEMPORAL_TLS_SECRET_ARN)`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    // JSON.parse's message quotes the text: it is not repeated here.
    throw new Error(`${where} is not valid JSON: expected {"clientCert": PEM, "clientKey": PEM, "serverCa"?: PEM, "serverNameOverride"?: string}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${where} must be a JSON object {"clientCert": PEM, "clientKey": PEM, "serverCa"?: PEM, "serverNameOverride"?: string}`);
  }
  const fields = parsed as Record<string, unknown>;
  const known = ['clientCert', 'clientKey', 'serverCa', 'serverNameOverride'];
  const unknown = Object.keys(fields).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${where} has unknown field(s) ${unknown.join(', ')}: expected ${known.join(', ')}`);
  for (const name of known) {
    const value = fields[name];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) throw new Error(`${where}: ${name} must be a non-empty string`);
  }
  const { clientCert, clientKey, serverCa, serverNameOverride } = fields as Partial<Record<string, string>>;
  if ((clientCert === undefined) !== (clientKey === undefined)) {
    throw new Error(`${where}: clientCert and clientKey go together (both PEM), found only ${clientCert === undefined ? 'clientKey' : 'clientCert'}`);
  }
  if (clientCert === undefined && serverCa === undefined) {
    throw new Error(`${where} must hold clientCert and clientKey (mTLS), serverCa (a private CA), or both`);
  }
  const tls: TLSConfig = {};
  if (clientCert !== undefined && clientKey !== undefined) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(clientCert);
    } catch {
      throw new Error(`${where}: clientCert is not a PEM X.509 certificate`);
    }
    let matches: boolean;
    try {
      matches = cert.checkPrivateKey(createPrivateKey(clientKey));
    } catch {
      throw new Error(`${where}: clientKey is not a PEM private key`);
    }
    if (!matches) throw new Error(`${where}: clientKey is not the private key of clientCert`);
    tls.clientCertPair = { crt: Buffer.from(clientCert), key: Buffer.from(clientKey) };
  }
  if (serverCa !== undefined) {
    try {
      new X509Certificate(serverCa);
    } catch {
      throw new Error(`${where}: serverCa is not a PEM X.509 certificate`);
    }
    tls.serverRootCACertificate = Buffer.from(serverCa);
  }
  if (serverNameOverride !== undefined) tls.serverNameOverride = serverNameOverride;
  return tls;
}

async function tlsSecret(arn: string, deps: TemporalConnectionDeps): Promise<TLSConfig> {
  return parseTlsSecret(await secretString(arn, 'TEMPORAL_TLS_SECRET_ARN', deps), arn);
}

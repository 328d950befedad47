import { SECRET_ARN } from '../../runtime/temporal-connection';
import { DEFAULT_TASK_QUEUE } from '../../runtime/workflow-names';
import { Target } from './target';

/**
 * Everything a deployment can choose, read from CDK context (`-c key=value` or cdk.json), with the
 * defaults each target gets. The stack takes the same shape as props, so tests build it directly.
 * Every error names the context key and the rule.
 */
export type ApiAuth = 'iam' | 'apiKey' | 'jwt' | 'none';
export const API_AUTHS: readonly ApiAuth[] = ['iam', 'apiKey', 'jwt', 'none'];

export interface DeploymentSettings {
  /** `host:port` of the Temporal frontend. Required on AWS. */
  readonly temporalAddress?: string;
  readonly temporalNamespace?: string;
  /** TLS to Temporal with the system CAs (a self-hosted cluster behind a public certificate). */
  readonly temporalTls?: boolean;
  /** Secrets Manager secret (JSON: clientCert, clientKey, serverCa?, serverNameOverride?): mTLS. */
  readonly temporalTlsSecretArn?: string;
  /** Secrets Manager secret holding a Temporal Cloud API key. */
  readonly temporalApiKeySecretArn?: string;
  /**
   * The Temporal clients' own credential (the API function), mTLS like temporalTlsSecretArn or an
   * API key like temporalApiKeySecretArn; the worker keeps the one above. Unset: clients use the
   * worker's credential, and synthesis warns.
   */
  readonly temporalClientTlsSecretArn?: string;
  readonly temporalClientApiKeySecretArn?: string;
  /**
   * Accept plaintext without credentials to Temporal on AWS (a frontend reachable only inside your
   * VPC). Without it the AWS target requires one of the three TLS settings above; synthesis warns.
   */
  readonly temporalInsecure?: boolean;
  readonly taskQueue?: string;
  /** Import this VPC instead of creating one; it needs private subnets with egress. */
  readonly vpcId?: string;
  /** NAT gateways of a created VPC: 1 (default) is cheaper, one per AZ (2) survives an AZ loss. */
  readonly natGateways?: number;
  readonly workerCpu?: number;
  readonly workerMemoryMiB?: number;
  readonly workerMinTasks?: number;
  readonly workerMaxTasks?: number;
  /** Scale out when each worker has more than this many tasks waiting. Default 20. */
  readonly workerBacklogPerTask?: number;
  /** A prebuilt worker image (e.g. an ECR URI with tag) instead of building the repo's Dockerfile. */
  readonly workerImage?: string;
  /**
   * API authorization: IAM SigV4 (default on AWS), API keys with a usage plan, JWT bearer tokens from
   * an OIDC issuer (a Cognito user pool or any other), or none (the local default). Whatever the
   * choice, on AWS the codec routes need the operators' permission (infra/constructs/http-api.ts).
   */
  readonly apiAuth?: ApiAuth;
  /** apiAuth=jwt: the issuer (`iss`), an https URL serving /.well-known/openid-configuration. */
  readonly jwtIssuer?: string;
  /** apiAuth=jwt: the accepted audiences (`aud`, or a Cognito access token's `client_id`). */
  readonly jwtAudience?: readonly string[];
  /** apiAuth=jwt: the scope that makes a token an operator's (the codec routes). Default `stepless/codec`. */
  readonly jwtCodecScope?: string;
  /** apiAuth=jwt: a group (`cognito:groups` or `groups` claim) whose members are operators too. */
  readonly jwtCodecGroup?: string;
  /** Steady-state requests per second the stage accepts. Default 50. */
  readonly apiThrottleRate?: number;
  /** Burst of requests the stage accepts. Default 100. */
  readonly apiThrottleBurst?: number;
  /**
   * Put the API function in the worker's VPC, for a Temporal frontend reachable only inside it.
   * Default false: Temporal Cloud and public endpoints need no VPC, and a function outside one
   * starts faster.
   */
  readonly apiInVpc?: boolean;
  /** Requests per day per API key (usage plan quota); unset: no quota. */
  readonly apiQuotaPerDay?: number;
  /** Origins allowed by CORS (browser clients, the Temporal UI's codec calls); empty: CORS off. */
  readonly corsOrigins?: readonly string[];
  /** X-Ray tracing on the functions, the API stage and the worker's AWS calls. */
  readonly tracing?: boolean;
  /** Encrypt workflow payloads with KMS before they reach Temporal (runtime/encryption). */
  readonly payloadEncryption?: boolean;
  /** Where alarm notifications go (an SNS email subscription); unset: the topic has no subscriber. */
  readonly alarmEmail?: string;
  /**
   * The Temporal Web UI's base URL, for the link in each workflow status change event
   * (docs/events-out.md). Default https://cloud.temporal.io for Temporal Cloud addresses; unset otherwise.
   */
  readonly temporalUiUrl?: string;
}

/** The settings that name a Temporal credential secret. */
const SECRET_KEYS = ['temporalTlsSecretArn', 'temporalApiKeySecretArn', 'temporalClientTlsSecretArn', 'temporalClientApiKeySecretArn'] as const;
type SecretKey = (typeof SECRET_KEYS)[number];

/** What the JWT authorizer checks (apiAuth=jwt). */
export interface JwtAuthSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly codecScope: string;
  readonly codecGroup?: string;
}

export interface ResolvedDeploymentSettings extends Required<Omit<DeploymentSettings, 'temporalAddress' | SecretKey | 'vpcId' | 'workerImage' | 'apiQuotaPerDay' | 'alarmEmail' | 'jwtIssuer' | 'jwtAudience' | 'jwtCodecScope' | 'jwtCodecGroup' | 'temporalUiUrl'>> {
  readonly temporalAddress: string;
  readonly temporalTlsSecretArn?: string;
  readonly temporalApiKeySecretArn?: string;
  readonly temporalClientTlsSecretArn?: string;
  readonly temporalClientApiKeySecretArn?: string;
  readonly vpcId?: string;
  readonly workerImage?: string;
  readonly apiQuotaPerDay?: number;
  readonly alarmEmail?: string;
  /** Present exactly when apiAuth is jwt. */
  readonly jwt?: JwtAuthSettings;
  readonly temporalUiUrl?: string;
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Fargate's valid CPU units → memory (MiB) it allows with them. */
const FARGATE_MEMORY: Record<number, [number, number]> = { 256: [512, 2048], 512: [1024, 4096], 1024: [2048, 8192], 2048: [4096, 16384], 4096: [8192, 30720] };

/** The context keys `deploymentSettingsFromContext` reads, for the README's reference and error messages. */
export const CONTEXT_KEYS = [
  'temporalAddress', 'temporalNamespace', 'temporalTls', 'temporalTlsSecretArn', 'temporalApiKeySecretArn', 'temporalClientTlsSecretArn', 'temporalClientApiKeySecretArn', 'temporalInsecure', 'taskQueue',
  'vpcId', 'natGateways', 'workerCpu', 'workerMemoryMiB', 'workerMinTasks', 'workerMaxTasks', 'workerBacklogPerTask', 'workerImage',
  'apiAuth', 'jwtIssuer', 'jwtAudience', 'jwtCodecScope', 'jwtCodecGroup', 'apiInVpc', 'apiThrottleRate', 'apiThrottleBurst', 'apiQuotaPerDay', 'corsOrigins', 'tracing', 'payloadEncryption', 'alarmEmail',
  'temporalUiUrl',
] as const satisfies ReadonlyArray<keyof DeploymentSettings>;

/**
 * Reads the settings from CDK context. Context values arrive as strings from `-c` and as JSON
 * values from cdk.json, so both "true" and true, "2" and 2, "a,b" and ["a","b"] are accepted.
 */
export function deploymentSettingsFromContext(get: (key: string) => unknown): DeploymentSettings {
  const settings: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const raw = get(key);
    if (raw === undefined || raw === null || raw === '') continue;
    settings[key] = coerce(key, raw);
  }
  return settings;
}

const BOOLEAN_KEYS = new Set(['temporalTls', 'temporalInsecure', 'apiInVpc', 'tracing', 'payloadEncryption']);
const NUMBER_KEYS = new Set(['natGateways', 'workerCpu', 'workerMemoryMiB', 'workerMinTasks', 'workerMaxTasks', 'workerBacklogPerTask', 'apiThrottleRate', 'apiThrottleBurst', 'apiQuotaPerDay']);

function coerce(key: string, raw: unknown): unknown {
  if (BOOLEAN_KEYS.has(key)) {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    throw new Error(`context value "${key}" must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (NUMBER_KEYS.has(key)) {
    const n = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isFinite(n)) throw new Error(`context value "${key}" must be a number, got ${JSON.stringify(raw)}`);
    return n;
  }
  if (key === 'corsOrigins' || key === 'jwtAudience') {
    const list = Array.isArray(raw) ? raw : String(raw).split(',');
    return list.map((o) => String(o).trim()).filter((o) => o !== '');
  }
  return String(raw);
}

/** Applies the target's defaults and checks every rule; throws naming the first broken one. */
export function resolveDeploymentSettings(target: Target, settings: DeploymentSettings, localTemporalAddress = '127.0.0.1:7233'): ResolvedDeploymentSettings {
  const aws = target === 'aws';
  const s = settings;
  if (aws && !s.temporalAddress) {
    throw new Error('the AWS target needs the Temporal frontend address: pass -c temporalAddress=<host:port> (e.g. my-ns.a1b2c.tmprl.cloud:7233)');
  }
  const temporalAddress = s.temporalAddress ?? localTemporalAddress;
  if (!HOST_PORT.test(temporalAddress)) throw new Error(`context value "temporalAddress" must be host:port, got ${JSON.stringify(temporalAddress)}`);
  for (const key of SECRET_KEYS) {
    const v = s[key];
    if (v !== undefined && !SECRET_ARN.test(v)) throw new Error(`context value "${key}" must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got ${JSON.stringify(v)}`);
  }
  if (s.temporalTlsSecretArn && s.temporalApiKeySecretArn) {
    throw new Error('context values "temporalTlsSecretArn" and "temporalApiKeySecretArn" are alternatives (mTLS or an API key); set one');
  }
  if (s.temporalClientTlsSecretArn && s.temporalClientApiKeySecretArn) {
    throw new Error('context values "temporalClientTlsSecretArn" and "temporalClientApiKeySecretArn" are alternatives (mTLS or an API key for the clients); set one');
  }
  const workerSecret = s.temporalTlsSecretArn ?? s.temporalApiKeySecretArn;
  const clientSecret = s.temporalClientTlsSecretArn ?? s.temporalClientApiKeySecretArn;
  if (clientSecret !== undefined && clientSecret === workerSecret) {
    throw new Error('context value "temporalClientTlsSecretArn" or "temporalClientApiKeySecretArn" names the worker\'s own secret: give the clients a credential of their own, or leave both unset to share the worker\'s (synthesis then warns)');
  }
  const temporalTlsSet = s.temporalTls === true || s.temporalTlsSecretArn !== undefined || s.temporalApiKeySecretArn !== undefined;
  const temporalInsecure = s.temporalInsecure ?? false;
  if (temporalInsecure && (temporalTlsSet || clientSecret !== undefined)) {
    throw new Error('context value "temporalInsecure" is true but TLS to Temporal is configured (temporalTls, temporalTlsSecretArn, temporalApiKeySecretArn or a temporalClient* secret): keep one of the two');
  }
  // Plaintext without credentials on AWS must be a choice someone made, never the default.
  if (aws && !temporalTlsSet && !temporalInsecure) {
    throw new Error(
      'the AWS target connects to Temporal over TLS, but none of the context values "temporalTls", "temporalTlsSecretArn" and "temporalApiKeySecretArn" asks for it: pass -c temporalTls=true (server certificate checked against the system CAs), '
        + '-c temporalTlsSecretArn=<secret ARN> (mTLS or a private CA) or -c temporalApiKeySecretArn=<secret ARN> (Temporal Cloud API key); '
        + 'to connect in plaintext without credentials (a frontend reachable only inside your VPC), pass -c temporalInsecure=true',
    );
  }
  if (s.vpcId !== undefined && !VPC_ID.test(s.vpcId)) throw new Error(`context value "vpcId" must look like vpc-0123456789abcdef0, got ${JSON.stringify(s.vpcId)}`);
  const natGateways = wholeNumber('natGateways', s.natGateways ?? 1, 0, 3);
  if (natGateways === 0 && s.vpcId === undefined && aws) {
    throw new Error('context value "natGateways" must be at least 1 for a created VPC: the worker needs egress to Temporal and AWS APIs (or import a VPC with -c vpcId=...)');
  }
  const workerCpu = s.workerCpu ?? 512;
  const memoryRange = FARGATE_MEMORY[workerCpu];
  if (!memoryRange) throw new Error(`context value "workerCpu" must be one of Fargate's CPU sizes ${Object.keys(FARGATE_MEMORY).join(', ')}, got ${workerCpu}`);
  const workerMemoryMiB = wholeNumber('workerMemoryMiB', s.workerMemoryMiB ?? Math.max(1024, memoryRange[0]), memoryRange[0], memoryRange[1]);
  const workerMinTasks = wholeNumber('workerMinTasks', s.workerMinTasks ?? (aws ? 2 : 1), 1, 100);
  const workerMaxTasks = wholeNumber('workerMaxTasks', s.workerMaxTasks ?? 10, workerMinTasks, 100);
  const workerBacklogPerTask = wholeNumber('workerBacklogPerTask', s.workerBacklogPerTask ?? 20, 1, 100_000);
  // Secure by default on AWS: only callers holding an IAM grant; locally LocalStack does not check SigV4, so open.
  const apiAuth = s.apiAuth ?? (aws ? 'iam' : 'none');
  if (!API_AUTHS.includes(apiAuth)) throw new Error(`context value "apiAuth" must be ${API_AUTHS.join(', ')}, got ${JSON.stringify(apiAuth)}`);
  const jwt = resolveJwt(apiAuth, s);
  const apiThrottleRate = wholeNumber('apiThrottleRate', s.apiThrottleRate ?? 50, 1, 10_000);
  const apiThrottleBurst = wholeNumber('apiThrottleBurst', s.apiThrottleBurst ?? 100, 1, 5_000);
  const apiQuotaPerDay = s.apiQuotaPerDay === undefined ? undefined : wholeNumber('apiQuotaPerDay', s.apiQuotaPerDay, 1, Number.MAX_SAFE_INTEGER);
  const corsOrigins = [...(s.corsOrigins ?? [])];
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`context value "corsOrigins" must list origins like https://app.example.com (scheme and host, no path), got ${JSON.stringify(origin)}`);
  }
  if (s.alarmEmail !== undefined && !EMAIL.test(s.alarmEmail)) throw new Error(`context value "alarmEmail" must be an email address, got ${JSON.stringify(s.alarmEmail)}`);
  const temporalUiUrl = s.temporalUiUrl ?? (/\.tmprl\.cloud:\d+$/.test(temporalAddress) ? 'https://cloud.temporal.io' : undefined);
  if (temporalUiUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(temporalUiUrl)) throw new Error(`context value "temporalUiUrl" must be the Temporal Web UI's http(s) URL, e.g. https://temporal.example.com, got ${JSON.stringify(temporalUiUrl)}`);
  const taskQueue = s.taskQueue ?? DEFAULT_TASK_QUEUE;
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(taskQueue)) throw new Error(`context value "taskQueue" must be 1-200 letters, digits, '.', '_' or '-', got ${JSON.stringify(taskQueue)}`);
  return {
    temporalAddress,
    temporalNamespace: s.temporalNamespace ?? 'default',
    temporalTls: s.temporalTls ?? false,
    ...(s.temporalTlsSecretArn ? { temporalTlsSecretArn: s.temporalTlsSecretArn } : {}),
    ...(s.temporalApiKeySecretArn ? { temporalApiKeySecretArn: s.temporalApiKeySecretArn } : {}),
    ...(s.temporalClientTlsSecretArn ? { temporalClientTlsSecretArn: s.temporalClientTlsSecretArn } : {}),
    ...(s.temporalClientApiKeySecretArn ? { temporalClientApiKeySecretArn: s.temporalClientApiKeySecretArn } : {}),
    temporalInsecure,
    taskQueue,
    ...(s.vpcId ? { vpcId: s.vpcId } : {}),
    natGateways,
    workerCpu,
    workerMemoryMiB,
    workerMinTasks,
    workerMaxTasks,
    workerBacklogPerTask,
    ...(s.workerImage ? { workerImage: s.workerImage } : {}),
    apiAuth,
    apiInVpc: s.apiInVpc ?? false,
    apiThrottleRate,
    apiThrottleBurst,
    ...(apiQuotaPerDay !== undefined ? { apiQuotaPerDay } : {}),
    corsOrigins,
    tracing: s.tracing ?? aws,
    payloadEncryption: s.payloadEncryption ?? aws,
    ...(s.alarmEmail ? { alarmEmail: s.alarmEmail } : {}),
    ...(jwt ? { jwt } : {}),
    ...(temporalUiUrl ? { temporalUiUrl } : {}),
  };
}

const JWT_KEYS = ['jwtIssuer', 'jwtAudience', 'jwtCodecScope', 'jwtCodecGroup'] as const;

/** The JWT settings: required with apiAuth=jwt, refused without it (a key that would silently do nothing). */
function resolveJwt(apiAuth: ApiAuth, s: DeploymentSettings): JwtAuthSettings | undefined {
  if (apiAuth !== 'jwt') {
    const stray = JWT_KEYS.find((k) => s[k] !== undefined);
    if (stray) throw new Error(`context value "${stray}" applies only with apiAuth=jwt, but apiAuth is ${apiAuth}`);
    return undefined;
  }
  if (!s.jwtIssuer) throw new Error('apiAuth=jwt needs the token issuer: pass -c jwtIssuer=<https URL> (e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123)');
  if (!/^https:\/\/[^\s?#]+$/.test(s.jwtIssuer) || s.jwtIssuer.endsWith('/')) throw new Error(`context value "jwtIssuer" must be an https URL without a trailing slash, query or fragment (the tokens' iss claim), got ${JSON.stringify(s.jwtIssuer)}`);
  const audience = [...(s.jwtAudience ?? [])];
  if (audience.length === 0) throw new Error('apiAuth=jwt needs the accepted audiences: pass -c jwtAudience=<aud or Cognito app client id>[,...]');
  const codecScope = s.jwtCodecScope ?? 'stepless/codec';
  for (const [key, value] of [['jwtCodecScope', codecScope], ['jwtCodecGroup', s.jwtCodecGroup]] as const) {
    if (value !== undefined && !/^[\x21-\x7e]{1,128}$/.test(value)) throw new Error(`context value "${key}" must be 1-128 printable characters without spaces, got ${JSON.stringify(value)}`);
  }
  return { issuer: s.jwtIssuer, audience, codecScope, ...(s.jwtCodecGroup ? { codecGroup: s.jwtCodecGroup } : {}) };
}

function wholeNumber(key: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`context value "${key}" must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

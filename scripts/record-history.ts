import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporalAddress, temporalNamespace } from '../infra/local/config';
import { repoRoot } from '../infra/local/paths';
import { ensureTemporalCli } from '../infra/local/temporal';
import { runMain } from './run-main';

/**
 * `npx tsx scripts/record-history.ts <workflowId> <name>`: saves a closed workflow's event history
 * from the local Temporal server to test/replay/histories/<name>.json, where the replay test
 * (test/workflow/replay.test.ts) replays it against today's workflow code on every CI run. The
 * file is what `temporal workflow show --output json` writes, by that same CLI, so a history
 * exported from any Temporal cluster (or its UI's download) can be committed the same way.
 */
const usage = 'usage: npx tsx scripts/record-history.ts <workflowId> <name>   (name: letters, digits, "-", "_"; e.g. order-happy-v1)';

runMain(async () => {
  const [workflowId, name] = process.argv.slice(2);
  if (!workflowId || !name) throw new Error(usage);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new Error(`invalid name ${JSON.stringify(name)}: ${usage}`);
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const client = new Client({ connection, namespace: temporalNamespace });
    const handle = client.workflow.getHandle(workflowId);
    const { status, type } = await handle.describe();
    // A running workflow's history is a prefix that would replay, but would not prove the ending does.
    if (status.name === 'RUNNING') throw new Error(`${workflowId} is still running; record it once it has closed`);
    const json = execFileSync(await ensureTemporalCli(), ['workflow', 'show', '--workflow-id', workflowId, '--address', temporalAddress, '--namespace', temporalNamespace, '--output', 'json'], {
      maxBuffer: 256 * 1024 * 1024,
    }).toString();
    const history = JSON.parse(json) as { events?: unknown[] };
    const dir = join(repoRoot, 'test', 'replay', 'histories');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
    console.log(`${type} ${workflowId} (${status.name}, ${history.events?.length ?? 0} events) → ${relative(repoRoot, file)}`);
  } finally {
    await connection.close();
  }
});

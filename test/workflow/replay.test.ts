import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';

/**
 * Replay: every history in test/replay/histories (recorded from real runs on the local cloud with
 * scripts/record-history.ts) must replay against today's workflow code. A change that would break
 * running workflows (a step added, removed or reordered without `patched()`) fails here, in CI,
 * before it reaches a worker. See docs/versioning.md.
 */
const historiesDir = join(__dirname, '..', 'replay', 'histories');
const histories = readdirSync(historiesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, history: JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as unknown }));

const workflowIdOf = (history: unknown): string => {
  const started = (history as { events: Array<{ workflowExecutionStartedEventAttributes?: { workflowId?: string } }> }).events[0];
  return started?.workflowExecutionStartedEventAttributes?.workflowId ?? 'replay';
};

async function replayAll(workflowsPath: string, items: typeof histories): Promise<Map<string, Error | undefined>> {
  const results = new Map<string, Error | undefined>();
  const byId = new Map(items.map((h) => [workflowIdOf(h.history), h.file]));
  const inputs = items.map((h) => ({ workflowId: workflowIdOf(h.history), history: h.history }));
  for await (const r of Worker.runReplayHistories({ workflowsPath, replayName: 'replay-test' }, inputs)) {
    results.set(byId.get(r.workflowId) ?? r.workflowId, r.error);
  }
  return results;
}

describe('replay of recorded histories', () => {
  it('has histories to replay, recorded from real runs', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it("every recorded history replays against today's workflows", async () => {
    const results = await replayAll(require.resolve('../../workflows'), histories);
    const failures = [...results].filter(([, err]) => err !== undefined).map(([file, err]) => `${file}: ${err!.name}: ${err!.message}`);
    expect(failures).toEqual([]);
    expect(results.size).toBe(histories.length);
  });

  it('runs recorded before the one audit naming scheme keep their own event names on replay', async () => {
    const recorded = (history: unknown): string[] =>
      (history as { events: Array<{ activityTaskScheduledEventAttributes?: { activityType: { name: string }; input: { payloads: Array<{ data: string }> } } }> }).events
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a?.activityType.name === 'appendAuditEvent')
        .map((a) => (JSON.parse(Buffer.from(a!.input.payloads[0]!.data, 'base64').toString('utf8')) as { event: { type: string } }).event.type);
    const replayed = new Map<string, string[]>();
    const byId = new Map(histories.map((h) => [workflowIdOf(h.history), h.file]));
    const options = {
      workflowsPath: require.resolve('../../workflows'),
      replayName: 'replay-audit-names',
      interceptors: { workflowModules: [require.resolve('./fixtures/audit-names-interceptor')] },
      sinks: {
        auditNames: {
          recorded: {
            fn: (info: { workflowId: string }, type: string) => {
              const file = byId.get(info.workflowId) ?? info.workflowId;
              replayed.set(file, [...(replayed.get(file) ?? []), type]);
            },
            callDuringReplay: true,
          },
        },
      },
    };
    const inputs = histories.map((h) => ({ workflowId: workflowIdOf(h.history), history: h.history }));
    for await (const r of Worker.runReplayHistories(options, inputs)) expect(r.error).toBeUndefined();
    for (const { file, history } of histories) expect({ file, types: replayed.get(file) ?? [] }).toEqual({ file, types: recorded(history) });
  });

  it('catches a non-deterministic change: the same history against a reordered workflow fails', async () => {
    const textStats = histories.filter((h) => h.file.startsWith('text-stats-'));
    expect(textStats.length).toBeGreaterThan(0);
    const results = await replayAll(require.resolve('./fixtures/text-stats-job-reordered'), textStats);
    for (const [, err] of results) expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});

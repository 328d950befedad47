import { PutEventsCommand, type EventBridgeClient, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { changesOf, statusChangeEvent, type WorkflowStatusChange } from '../../../runtime/status-events/event';
import { putStatusChanges } from '../../../runtime/status-events/put-events';

/**
 * Retrying what PutEvents refuses. EventBridge can accept a call yet refuse some of its entries
 * (ThrottlingException, InternalFailure per entry), which no local emulator produces on demand; so
 * these tests answer PutEvents with such results, in the shape the service documents, and check
 * what is put again, what is reported failed, and the ten-entry limit per call.
 */
function changes(n: number): WorkflowStatusChange[] {
  return Array.from({ length: n }, (_, i) =>
    statusChangeEvent(changesOf({ type: 't', workflowId: `wf-${i}`, runId: `run-${i}`, taskQueue: 'q', status: { name: 'RUNNING' }, startTime: new Date(1_800_000_000_000 + i) })[0]!, { namespace: 'default' }));
}

/** An EventBridge that answers each call with `answer(ids of its entries, call number)`. */
function eventBridge(answer: (ids: string[], call: number) => PutEventsResultEntry[] | Error): { client: EventBridgeClient; calls: string[][] } {
  const calls: string[][] = [];
  const client = {
    send: (command: PutEventsCommand) => {
      const ids = (command.input.Entries ?? []).map((e) => (JSON.parse(e.Detail!) as WorkflowStatusChange).id);
      calls.push(ids);
      const result = answer(ids, calls.length);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve({ FailedEntryCount: result.filter((r) => r.ErrorCode).length, Entries: result });
    },
  } as unknown as EventBridgeClient;
  return { client, calls };
}

const ok = (ids: string[]) => ids.map((id) => ({ EventId: `ev-${id}` }));
const options = (client: EventBridgeClient, attempts = 3) => ({ eventBridge: client, eventBusName: 'bus', attempts, backoffMs: 1, sleep: () => Promise.resolve() });

describe('putting status changes', () => {
  it('sends at most ten entries per call', async () => {
    const { client, calls } = eventBridge(ok);
    const outcome = await putStatusChanges(changes(23), options(client));
    expect(calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(outcome.published).toHaveLength(23);
    expect(outcome.failed).toEqual([]);
  });

  it('puts again only the entries refused in an accepted call', async () => {
    const { client, calls } = eventBridge((ids, call) => ids.map((id, i) => (call === 1 && i % 2 === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `ev-${id}` })));
    const all = changes(4);
    const outcome = await putStatusChanges(all, options(client));
    expect(calls).toEqual([all.map((c) => c.id), [all[1]!.id, all[3]!.id]]);
    expect(outcome.published.sort()).toEqual(all.map((c) => c.id).sort());
    expect(outcome.failed).toEqual([]);
  });

  it('puts a whole call again when it failed as a whole', async () => {
    const { client, calls } = eventBridge((ids, call) => (call === 1 ? new Error('socket hang up') : ok(ids)));
    const outcome = await putStatusChanges(changes(3), options(client));
    expect(calls).toHaveLength(2);
    expect(outcome.published).toHaveLength(3);
  });

  it('reports what is still refused after every attempt, with the reason, for the next poll to retry', async () => {
    const all = changes(3);
    const { client, calls } = eventBridge((ids) => ids.map((id) => (id === all[2]!.id ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `ev-${id}` })));
    const outcome = await putStatusChanges(all, options(client, 3));
    expect(calls).toHaveLength(3);
    expect(outcome.published.sort()).toEqual([all[0]!.id, all[1]!.id].sort());
    expect(outcome.failed).toEqual([{ id: all[2]!.id, error: 'InternalFailure: try again' }]);
  });
});

import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { WorkflowStatusChange } from './event';
import { STATUS_EVENT_DETAIL_TYPE, STATUS_EVENT_SOURCE } from './names';

/** PutEvents takes at most this many entries per call. */
const MAX_ENTRIES_PER_CALL = 10;

export interface PutOutcome {
  /** Ids of the changes EventBridge accepted. */
  published: string[];
  /** Ids of the changes still refused after every attempt (the cursor stops before them). */
  failed: { id: string; error: string }[];
}

export interface PutOptions {
  eventBridge: EventBridgeClient;
  eventBusName: string;
  /** Attempts per entry within one poll; what is still refused is tried again at the next poll. */
  attempts: number;
  /** Wait before the second attempt, doubled for each one after. */
  backoffMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The EventBridge entry of a change: its time is the change's, its detail the event (docs/events-out.md). */
export function entryOf(change: WorkflowStatusChange, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: STATUS_EVENT_SOURCE,
    DetailType: STATUS_EVENT_DETAIL_TYPE,
    Time: new Date(change.time),
    Detail: JSON.stringify(change),
  };
}

/**
 * Puts the changes, ten per call. PutEvents can accept a call and refuse some of its entries
 * (throttling, an internal error): those, and the entries of a call that failed as a whole, are
 * put again, up to `attempts` times.
 */
export async function putStatusChanges(changes: readonly WorkflowStatusChange[], options: PutOptions): Promise<PutOutcome> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const published: string[] = [];
  let pending = [...changes];
  let errors = new Map<string, string>();
  for (let attempt = 1; attempt <= options.attempts && pending.length > 0; attempt++) {
    if (attempt > 1) await sleep(options.backoffMs * 2 ** (attempt - 2));
    const refused: WorkflowStatusChange[] = [];
    errors = new Map();
    for (let i = 0; i < pending.length; i += MAX_ENTRIES_PER_CALL) {
      const batch = pending.slice(i, i + MAX_ENTRIES_PER_CALL);
      try {
        const res = await options.eventBridge.send(new PutEventsCommand({ Entries: batch.map((c) => entryOf(c, options.eventBusName)) }));
        // Results come back in the order of the entries; a failed one has an ErrorCode instead of an EventId.
        batch.forEach((change, k) => {
          const result = res.Entries?.[k];
          if (result?.EventId && !result.ErrorCode) published.push(change.id);
          else {
            refused.push(change);
            errors.set(change.id, `${result?.ErrorCode ?? 'NoResult'}: ${result?.ErrorMessage ?? 'PutEvents returned no result for this entry'}`);
          }
        });
      } catch (err) {
        refused.push(...batch);
        for (const change of batch) errors.set(change.id, String(err));
      }
    }
    pending = refused;
  }
  return { published, failed: pending.map((c) => ({ id: c.id, error: errors.get(c.id) ?? 'not attempted' })) };
}

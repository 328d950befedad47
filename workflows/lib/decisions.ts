import { log, setHandler } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';

/**
 * A decision a person sends a running workflow (an approval, a researcher's review, a budget),
 * the same way in every workflow: as a Temporal Update, whose caller hears at once whether it was
 * taken or why not, or as a Signal for clients that cannot wait for an answer. Both go through one
 * validation and one path, and a decision is taken at most once per request id: a repeat (an HTTP
 * retry, the same Idempotency-Key) is answered with the first result, marked `duplicate`, whatever
 * the workflow's state is by then.
 */
export interface DecisionGate<D, R extends { duplicate: boolean }> {
  /** What the log lines call it: "approval" gives "approval signal ignored". */
  readonly name: string;
  readonly update: UpdateDefinition<R, [D]>;
  readonly signal: SignalDefinition<[D]>;
  /**
   * Why this (new) decision cannot be taken now, or undefined when it can: the update's caller
   * gets it as the rejection; a signal is ignored with it. It is not asked for a repeat.
   */
  problem(decision: D): string | undefined;
  /** Takes the decision; the result answers later repeats of the same request id. */
  take(decision: D, via: 'update' | 'signal'): R;
  /** Decisions taken so far by request id, when the workflow keeps them (across continue-as-new). */
  readonly processed?: Map<string, R>;
  /** The key under which a request id is kept, when several gates share one map. */
  readonly keyOf?: (requestId: string) => string;
  /** Called for a signal that was ignored, after it is logged: to record it in the workflow's state. */
  onIgnoredSignal?(decision: D, reason: string): void;
}

/** Registers the gate's update and signal handlers; returns the map of decisions taken. */
export function acceptDecisions<D, R extends { duplicate: boolean }>(gate: DecisionGate<D, R>): Map<string, R> {
  const processed = gate.processed ?? new Map<string, R>();
  const keyOf = gate.keyOf ?? ((requestId: string) => requestId);
  const requestIdOf = (decision: D): string | undefined => {
    const id = (decision as { requestId?: unknown } | null | undefined)?.requestId;
    return typeof id === 'string' ? id : undefined;
  };
  const isRepeat = (decision: D): boolean => {
    const id = requestIdOf(decision);
    return id !== undefined && processed.has(keyOf(id));
  };
  const take = (decision: D, via: 'update' | 'signal'): R => {
    const key = keyOf(requestIdOf(decision)!);
    const previous = processed.get(key);
    if (previous) return { ...previous, duplicate: true };
    const result = gate.take(decision, via);
    processed.set(key, result);
    return result;
  };

  setHandler(gate.update, (decision) => take(decision, 'update'), {
    validator: (decision: D) => {
      if (isRepeat(decision)) return;
      const problem = gate.problem(decision);
      if (problem !== undefined) throw new Error(problem);
    },
  });
  setHandler(gate.signal, (decision) => {
    if (!isRepeat(decision)) {
      const reason = gate.problem(decision);
      if (reason !== undefined) {
        log.warn(`${gate.name} signal ignored`, { requestId: requestIdOf(decision) ?? null, reason });
        gate.onIgnoredSignal?.(decision, reason);
        return;
      }
    }
    take(decision, 'signal');
  });
  return processed;
}

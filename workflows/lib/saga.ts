/**
 * A small saga helper for workflow code: register a compensation after each step succeeds; when
 * the workflow has to unwind (a failure, a rejection, a cancellation) `compensate()` runs them
 * newest-first, each awaited before the next, inside `CancellationScope.nonCancellable`, so a
 * cancellation of the workflow cannot interrupt the unwinding it caused.
 *
 *   const saga = new Saga();
 *   const reservation = await reserve(order);
 *   saga.add('releaseInventory', () => release(order.id));
 *   try { ... } catch (err) { await saga.compensate(); throw err; }
 *
 * Make each compensation an activity with an unlimited retry policy (and idempotent on the other
 * side): then it only fails for good on a non-retryable error. Nothing is swallowed: a
 * compensation that fails is reported through `onEvent`, the remaining ones still run, and
 * `compensate()` then throws a non-retryable `CompensationFailed` naming every failure.
 *
 * Deterministic code only (it runs in the workflow sandbox).
 */
import { ApplicationFailure, CancellationScope } from '@temporalio/workflow';

export type CompensationEvent =
  | { type: 'started'; name: string; at: number }
  | { type: 'completed'; name: string; at: number; result: unknown }
  | { type: 'failed'; name: string; at: number; error: string };

export interface SagaOptions {
  /** Called as each compensation starts, completes or fails (e.g. to update a query's state). */
  onEvent?: (event: CompensationEvent) => void;
}

export interface CompensationOutcome {
  name: string;
  ok: boolean;
  result?: unknown;
  error?: string;
}

interface Compensation {
  name: string;
  run: () => Promise<unknown>;
}

export class Saga {
  private readonly stack: Compensation[] = [];

  constructor(private readonly options: SagaOptions = {}) {}

  /** Registers the compensation of a step that has succeeded. */
  add(name: string, run: () => Promise<unknown>): void {
    this.stack.push({ name, run });
  }

  /** Names of the compensations that `compensate()` would run, in the order it would run them. */
  get pending(): string[] {
    return this.stack.map((c) => c.name).reverse();
  }

  /**
   * Runs every registered compensation, newest first, each once, even if the workflow is being
   * cancelled. Resolves with each outcome; throws `CompensationFailed` (non-retryable) if any failed,
   * after attempting all of them. Compensations run are removed, so calling it again is a no-op.
   */
  async compensate(): Promise<CompensationOutcome[]> {
    const outcomes = await CancellationScope.nonCancellable(async () => {
      const done: CompensationOutcome[] = [];
      while (this.stack.length > 0) {
        const next = this.stack.pop()!;
        this.options.onEvent?.({ type: 'started', name: next.name, at: Date.now() });
        try {
          const result = await next.run();
          this.options.onEvent?.({ type: 'completed', name: next.name, at: Date.now(), result });
          done.push({ name: next.name, ok: true, result });
        } catch (err) {
          const error = describe(err);
          this.options.onEvent?.({ type: 'failed', name: next.name, at: Date.now(), error });
          done.push({ name: next.name, ok: false, error });
        }
      }
      return done;
    });
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      throw ApplicationFailure.create({
        type: 'CompensationFailed',
        nonRetryable: true,
        message: `compensation failed: ${failed.map((f) => `${f.name}: ${f.error}`).join('; ')}`,
        details: [outcomes],
      });
    }
    return outcomes;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}

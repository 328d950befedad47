import type { FunctionSpec } from '../runtime/steps/declare';

/** Fargate's ceiling on a container's stop timeout (SIGTERM to SIGKILL); ECS refuses a larger value. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;
/** A Lambda call outlasts its function's timeout by the cold start's init and the network round trip. */
export const INVOKE_MARGIN_SECONDS = 10;
/** After the last activity: the final metrics window (bounded at 10 s per call) and closing the connection. */
export const CLOSE_MARGIN_SECONDS = 10;

export interface ShutdownTiming {
  /** The declared function with the longest timeout: the longest a step's attempt can hold a worker slot. */
  readonly longestStep: { readonly functionName: string; readonly timeoutSeconds: number };
  /** What in-flight activities get after SIGTERM (WORKER_SHUTDOWN_GRACE_MS): the longest step plus the invoke margin, when it fits. */
  readonly graceSeconds: number;
  /** The container's stop timeout: the grace plus the close margin, at most what ECS allows. */
  readonly stopTimeoutSeconds: number;
  /** What the stop timeout would be without the ceiling. */
  readonly neededStopTimeoutSeconds: number;
  /** False when the longest step cannot finish inside the stop timeout ECS allows. */
  readonly fits: boolean;
}

/**
 * The worker's stop timeout and shutdown grace, derived from the declared steps (lambdas/catalog.ts),
 * so that a deploy or a scale-in lets every attempt in flight finish instead of abandoning a call
 * that Temporal then runs again. Where the ceiling cuts the grace short, `fits` says so.
 */
export function shutdownTiming(functions: readonly Pick<FunctionSpec, 'name' | 'timeoutSeconds'>[], maxStopTimeoutSeconds = FARGATE_MAX_STOP_TIMEOUT_SECONDS): ShutdownTiming {
  if (functions.length === 0) throw new Error('shutdownTiming needs at least one declared function (lambdas/catalog.ts)');
  const longest = functions.reduce((a, b) => (b.timeoutSeconds > a.timeoutSeconds ? b : a));
  const neededStopTimeoutSeconds = longest.timeoutSeconds + INVOKE_MARGIN_SECONDS + CLOSE_MARGIN_SECONDS;
  const stopTimeoutSeconds = Math.min(neededStopTimeoutSeconds, maxStopTimeoutSeconds);
  return {
    longestStep: { functionName: longest.name, timeoutSeconds: longest.timeoutSeconds },
    graceSeconds: stopTimeoutSeconds - CLOSE_MARGIN_SECONDS,
    stopTimeoutSeconds,
    neededStopTimeoutSeconds,
    fits: neededStopTimeoutSeconds <= maxStopTimeoutSeconds,
  };
}

/** The synthesis warning (and the docs' wording) when the longest step does not fit. */
export function shutdownTimingWarning(t: ShutdownTiming): string | undefined {
  if (t.fits) return undefined;
  return `the longest step (function ${t.longestStep.functionName}, timeout ${t.longestStep.timeoutSeconds} s) needs a stop timeout of ${t.neededStopTimeoutSeconds} s `
    + `(step + ${INVOKE_MARGIN_SECONDS} s invoke margin + ${CLOSE_MARGIN_SECONDS} s to close), but Fargate allows at most ${t.stopTimeoutSeconds} s: `
    + `the worker gets ${t.graceSeconds} s of shutdown grace, so an attempt still running when a task is stopped after its scale-in protection lapsed is cut off and retried by Temporal. `
    + `Shorten that function's timeout, or make its steps idempotent (idempotency: true)`;
}

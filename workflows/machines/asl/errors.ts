/**
 * The Amazon States Language's error model: a failure is a name (`error`) and a human-readable
 * `cause`, and Retry/Catch match names through `ErrorEquals` with the rules of the `States.*` names.
 */

/** The error names the language predefines (the States.* names). */
export const STATES_ERRORS = {
  ALL: 'States.ALL',
  Timeout: 'States.Timeout',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  TaskFailed: 'States.TaskFailed',
  Permissions: 'States.Permissions',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
  QueryEvaluationError: 'States.QueryEvaluationError',
  BranchFailed: 'States.BranchFailed',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  ItemReaderFailed: 'States.ItemReaderFailed',
  ResultWriterFailed: 'States.ResultWriterFailed',
  Runtime: 'States.Runtime',
  DataLimitExceeded: 'States.DataLimitExceeded',
} as const;

/** A state failure with the language's error name and cause; what Retry and Catch see. */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string,
    /** A timeout that came from a missed heartbeat (error States.Timeout), so `States.HeartbeatTimeout` matches it too. */
    readonly heartbeat = false,
  ) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
  }
}

/** Errors no retrier or catcher handles: the execution fails at once. */
const TERMINAL: ReadonlySet<string> = new Set([STATES_ERRORS.Runtime, STATES_ERRORS.DataLimitExceeded]);

/** Whether `error` is one Retry and Catch can never handle. */
export function isTerminalError(error: StatesError): boolean {
  return TERMINAL.has(error.error);
}

/**
 * Whether an `ErrorEquals` list matches the error: by exact name; `States.ALL` matches everything
 * but the terminal errors; `States.TaskFailed` everything but a timeout (and the terminal errors);
 * `States.HeartbeatTimeout` the timeouts that came from a missed heartbeat.
 */
export function errorMatches(errorEquals: readonly string[], failure: StatesError): boolean {
  if (isTerminalError(failure)) return false;
  return errorEquals.some((name) => {
    if (name === failure.error) return true;
    if (name === STATES_ERRORS.ALL) return true;
    if (name === STATES_ERRORS.TaskFailed) return failure.error !== STATES_ERRORS.Timeout;
    if (name === STATES_ERRORS.HeartbeatTimeout) return failure.heartbeat;
    return false;
  });
}

/** A States.Runtime error: the definition and the data cannot go on together. */
export function runtimeError(cause: string): StatesError {
  return new StatesError(STATES_ERRORS.Runtime, cause);
}

/** Any thrown value as a StatesError (a non-StatesError is a bug in a transform: States.Runtime). */
export function asStatesError(err: unknown): StatesError {
  if (err instanceof StatesError) return err;
  return runtimeError(err instanceof Error ? err.message : String(err));
}

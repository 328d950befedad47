/** Why a workflow did not succeed, as a person reads it: the error's type and message. */
export interface FailureSummary {
  type: string;
  message: string;
}

/** The fields of a Temporal failure (ApplicationFailure, ActivityFailure, TerminatedFailure...) the summary reads. */
export interface FailureLike {
  type?: string | null;
  name?: string;
  message?: string;
  cause?: unknown;
}

/**
 * The summary of the failure that ended a workflow (the cause of the client's WorkflowFailedError):
 * an application failure's own type, else its cause's, else the failure's class name; an
 * ActivityFailure's own message is generic ("Activity task failed"), so the business reason is its cause's.
 */
export function summarizeFailure(failure: FailureLike): FailureSummary {
  const cause = typeof failure.cause === 'object' && failure.cause !== null ? (failure.cause as FailureLike) : undefined;
  const type = failure.type || cause?.type || failure.name || 'Error';
  const message = failure.name === 'ActivityFailure' && cause?.message ? cause.message : (failure.message ?? '');
  return { type, message };
}

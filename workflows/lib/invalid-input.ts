import { ApplicationFailure } from '@temporalio/workflow';

/** The failure a workflow ends with when its input breaks a rule (input.ts): non-retryable, typed, naming the field. */
export function invalidInput(type: string, subject: string, problem: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${subject}: ${problem}`, type);
}

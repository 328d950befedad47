/**
 * Workflow metrics, counted from inside the workflow sandbox: a run starting, and how it ended.
 * The counts leave the sandbox through a sink (worker/metrics/ aggregates and publishes them).
 * Deterministic code only: this module runs in the SDK's sandbox like any workflow.
 *
 * Sinks are not called while history is replayed (`callDuringReplay` is false), so a run that is
 * replayed after a cache eviction or on another worker is not counted a second time. A run counts
 * as started once its first workflow task succeeds.
 *
 * How a run ended is read from the command that closes it, after the SDK has turned the workflow
 * function's result or error into one, so the count agrees with what the server records:
 * - an ApplicationFailure (any TemporalFailure) leaving the workflow, or an update handler failing
 *   the workflow: failed;
 * - a cancellation leaving a workflow whose cancellation was requested: canceled, not failed, so
 *   that an operator's or caller's cancel does not page anyone (WorkflowFailed is alarmed on);
 * - continue-as-new: neither completed nor failed; the next run counts as started;
 * - any other error (a bug: TypeError...) fails the workflow *task*, which the server retries
 *   while the workflow stays open: not counted.
 * Runs terminated or timed out by the server never reach a worker and are not counted here.
 */
import { proxySinks, type ConcludeActivationInput, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export type WorkflowOutcome = 'completed' | 'failed' | 'canceled' | 'continuedAsNew';

/** The sink the worker injects (worker/metrics/instrumentation.ts). */
export interface WorkflowMetricsSinks extends Sinks {
  workflowMetrics: {
    started(): void;
    closed(outcome: WorkflowOutcome): void;
  };
}

type WorkflowCommand = ConcludeActivationInput['commands'][number];

/** The outcome a closing command records, or undefined if none of the commands closes the run. */
export function outcomeOf(commands: readonly WorkflowCommand[]): WorkflowOutcome | undefined {
  for (const command of commands) {
    if (command.completeWorkflowExecution) return 'completed';
    if (command.failWorkflowExecution) return 'failed';
    if (command.cancelWorkflowExecution) return 'canceled';
    if (command.continueAsNewWorkflowExecution) return 'continuedAsNew';
  }
  return undefined;
}

const { workflowMetrics } = proxySinks<WorkflowMetricsSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => {
  // "Started" is reported when the activation that began the workflow function concludes. An
  // activation that fails (a bug: the server retries the task) concludes nothing and reports
  // nothing, so a first task that fails and is retried does not count the run once per attempt.
  let began = false;
  return {
    inbound: [
      {
        execute(input, next) {
          began = true;
          return next(input);
        },
      },
    ],
    internals: [
      {
        concludeActivation(input, next) {
          const output = next(input);
          if (began) {
            began = false;
            workflowMetrics.started();
          }
          const outcome = outcomeOf(output.commands);
          if (outcome) workflowMetrics.closed(outcome);
          return output;
        },
      },
    ],
  };
};

import type { RunningState, StateHistoryEntry } from './asl/interpreter';
import type { AslMachine } from './asl/types';

/**
 * The interpreter workflow's contract, for every kind of declarative definition it runs.
 * Types only: the API and tests import them without the workflow code.
 */

/** An Amazon States Language definition (Step Functions). Another kind is another member of DefinitionRequest. */
export interface AslDefinitionRequest {
  kind: 'asl';
  definition: AslMachine;
}

export type DefinitionRequest = AslDefinitionRequest;

export type StateMachineRequest = DefinitionRequest & {
  /** The state machine's name ($$.StateMachine.Name). */
  name: string;
  /** The execution's input (default `{}`). */
  input?: unknown;
  /** The execution's name ($$.Execution.Name); default: the workflow id. */
  executionName?: string;
};

/** Step Functions' execution statuses (RUNNING is the query's answer while it runs). */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StateMachineResult {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** What the history query answers: the status so far, each state's entry in the order they ended, and the states running now. */
export interface ExecutionHistory {
  status: ExecutionStatus;
  states: StateHistoryEntry[];
  running: RunningState[];
}

export type { RunningState, StateHistoryEntry };

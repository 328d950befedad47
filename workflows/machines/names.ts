/** The interpreter workflow's names, for clients that do not import the workflow package (the API). */
export const STATE_MACHINE_WORKFLOW = 'executeStateMachine';

export const STATE_MACHINE_MESSAGES = {
  /** The status so far and each state's (or step's) history with its timings. */
  historyQuery: 'executionHistory',
} as const;

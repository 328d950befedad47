/** The task queue the worker polls and the API starts workflows on, unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'stepless';

/**
 * The workflow types the worker registers (the exports of workflows/index.ts), as plain names so that
 * code outside the workflow sandbox (the CDK app, event triggers) can check a name without loading
 * workflow code; test/unit/triggers/workflow-names.test.ts keeps the two lists equal.
 */
export const WORKFLOW_TYPES = ['textStatsJob', 'orderProcessing', 'trainingWorkflow', 'codebaseAnalysis', 'multiAgentAnalysis', 'executeStateMachine', 'dagExecution'] as const;
export type WorkflowType = (typeof WORKFLOW_TYPES)[number];

export const isWorkflowType = (name: string): name is WorkflowType => (WORKFLOW_TYPES as readonly string[]).includes(name);

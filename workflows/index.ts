/** Every workflow the worker registers. Deterministic code only: no I/O, no Node built-ins, no AWS SDK. */
export { textStatsJob } from './text-stats-job';
export { orderProcessing } from './orders/workflow';
export { trainingWorkflow } from './training/workflow';
export { codebaseAnalysis } from './analysis/workflow';
export { multiAgentAnalysis } from './analysis/multi-agent';
export { executeStateMachine } from './machines/workflow';
export { dagExecution } from './machines/dag/dag-workflow';

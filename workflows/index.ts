/** Every workflow the worker registers. Deterministic code only: no I/O, no Node built-ins, no AWS SDK. */
export { textStatsJob } from './text-stats-job';
export { orderProcessing } from './orders/order-workflow';
export { trainingWorkflow } from './training/workflow';
export { codebaseAnalysis } from './analysis/codebase-analysis';
export { multiAgentAnalysis } from './analysis/multi-agent';
export { dagExecution } from './machines/dag/dag-workflow';

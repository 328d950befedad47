/** The analysis workflows' message names, for clients that do not import the workflow package (the API). */
export const ANALYSIS_MESSAGES = {
  progressQuery: 'progress',
  budgetUpdate: 'decideBudget',
  budgetSignal: 'budgetDecision',
  planUpdate: 'decidePlan',
  planSignal: 'planDecision',
  specialistProgressSignal: 'specialistProgress',
} as const;

export const ANALYSIS_WORKFLOWS = { single: 'codebaseAnalysis', 'multi-agent': 'multiAgentAnalysis' } as const;

/** The audit event names of analyses started before the one scheme (workflows/lib/audit.ts), by today's name. */
export const ANALYSIS_LEGACY_AUDIT = {
  names: {
    'analysis.started': 'analysis.started',
    'analysis.stage-entered': 'analysis.stage',
    'analysis.strategy-switched': 'analysis.strategy-switched',
    'analysis.decision-requested:budget': 'analysis.budget-approval-requested',
    'analysis.decision-taken:budget': 'analysis.budget-decided',
    'analysis.decision-requested:plan': 'analysis.stage',
    'analysis.decision-taken:plan': 'analysis.plan-decided',
    'analysis.plan-proposed': 'analysis.plan-proposed',
    'analysis.batch-applied': 'analysis.batch-applied',
    'analysis.batch-rolled-back': 'analysis.batch-rolled-back',
    'analysis.specialist-finished': 'analysis.specialist-finished',
    'analysis.specialist-failed': 'analysis.specialist-failed',
    'analysis.completed': 'analysis.completed',
    'analysis.stopped': 'analysis.stopped-by-budget',
    'analysis.failed': 'analysis.failed',
    'analysis.cancelled': 'analysis.cancelled',
  },
  endDigest: true,
} as const;

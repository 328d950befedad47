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

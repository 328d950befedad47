import { randomUUID } from 'node:crypto';
import { DEFAULT_SNAPSHOT_PREFIX } from '../lambdas/shared/analysis/snapshot';
import { ANALYSIS_MESSAGES, ANALYSIS_WORKFLOWS } from '../workflows/analysis/names';
import type { AnalysisInput, BudgetDecisionInput, MultiAgentInput, PlanDecisionInput } from '../workflows/analysis/types';
import type { Handlers } from './router';
import type { analysisSpecs } from './specs/analyses';
import { cancelWorkflow, requestIdOf, runUpdate, startWorkflow, workflowStatus, type ResourceKind } from './workflow-calls';

const analysis: ResourceKind = { noun: 'analysis', idField: 'analysisId', collection: '/analyses' };

/** What the analysis routes (specs/analyses.ts) do: start, read, decide on and cancel codebase analyses. */
export const analysisHandlers: Handlers<typeof analysisSpecs> = {
  start: ({ event, body }) => {
    const analysisId = body.analysisId ?? randomUUID();
    const { snapshotId, snapshot, mode = 'single', ...rest } = body;
    const input: AnalysisInput & MultiAgentInput = {
      ...(rest as Omit<MultiAgentInput, 'analysisId' | 'snapshot'>),
      analysisId,
      snapshot: snapshot ?? { prefix: DEFAULT_SNAPSHOT_PREFIX(snapshotId!) },
    };
    return startWorkflow(event, analysis, { id: analysisId, workflowType: ANALYSIS_WORKFLOWS[mode], args: [input], extra: { mode } });
  },
  status: ({ params }) => workflowStatus(analysis, params.analysisId!, ANALYSIS_MESSAGES.progressQuery),
  budget: ({ event, params, body }) => {
    const decision: BudgetDecisionInput = { ...body, requestId: requestIdOf(event, `budget ${params.analysisId!}`, body) };
    return runUpdate(analysis, params.analysisId!, ANALYSIS_MESSAGES.budgetUpdate, decision, 'decide the budget');
  },
  plan: ({ event, params, body }) => {
    const decision: PlanDecisionInput = { ...body, requestId: requestIdOf(event, `plan ${params.analysisId!}`, body) };
    return runUpdate(analysis, params.analysisId!, ANALYSIS_MESSAGES.planUpdate, decision, 'decide the plan');
  },
  cancel: ({ params }) => cancelWorkflow(analysis, params.analysisId!),
};

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { ANALYSIS_MESSAGES as M } from './names';
import type { AnalysisProgress, BudgetDecisionInput, DecisionOutcome, PlanDecisionInput, SpecialistState } from './types';

/** Progress: files analysed of total, cost so far, budget left, findings by severity, current stage. */
export const progressQuery = defineQuery<AnalysisProgress>(M.progressQuery);

/** The answer to a budget request: approve with a new budget, or refuse (the analysis ends with what it has). */
export const budgetUpdate = defineUpdate<DecisionOutcome, [BudgetDecisionInput]>(M.budgetUpdate);
export const budgetSignal = defineSignal<[BudgetDecisionInput]>(M.budgetSignal);

/** The answer to a refactoring plan that needs approval. */
export const planUpdate = defineUpdate<DecisionOutcome, [PlanDecisionInput]>(M.planUpdate);
export const planSignal = defineSignal<[PlanDecisionInput]>(M.planSignal);

/** A specialist's progress, sent to its coordinator as results land (not awaited). */
export const specialistProgressSignal = defineSignal<[{ name: string; progress: NonNullable<SpecialistState['progress']> }]>(M.specialistProgressSignal);

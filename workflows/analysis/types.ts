import type { RefactorPlan } from '../../domain/analysis/plan';
import type { UnusedExport } from '../../domain/analysis/graph';
import type { Category, Depth, Finding, FunctionComplexity, Severity, TransformId } from '../../domain/analysis/types';

export type { RefactorPlan, UnusedExport, Category, Finding, Severity };

/** The input of codebaseAnalysis (and of multiAgentAnalysis, which passes it on to its specialists). */
export interface AnalysisInput {
  analysisId: string;
  /** Where the snapshot is: its prefix (and bucket, default the stack's snapshot bucket). */
  snapshot: { bucket?: string; prefix: string };
  /** The most the analysis may cost, in the currency of pricePer1kTokens. */
  budget: number;
  /** Default 0.01. */
  pricePer1kTokens?: number;
  /** Cost of a deep pass relative to a cheap one. Default 4. */
  deepCostFactor?: number;
  /** Functions above this cyclomatic complexity are findings. Default 10. */
  complexityThreshold?: number;
  /** Files whose cheap-pass score reaches this get a deep pass. Default 8. */
  deepThreshold?: number;
  /** Files analysed at once. Default 4. */
  parallelism?: number;
  /** Only these categories (all when absent). */
  categories?: Category[];
  /** Files whose exports are the public API (never "unused"). Default src/index.ts, index.ts, src/main.ts, main.ts. */
  entryPoints?: string[];
  /** Wait for a plan decision before refactoring. Default false. */
  requirePlanApproval?: boolean;
  /** Run the refactoring stage at all. Default true. */
  refactor?: boolean;
  /** Files per refactoring batch. Default 3. */
  batchSize?: number;
  /** How long to wait for a budget decision before treating it as refused. Default 24 h. */
  budgetApprovalTimeoutSeconds?: number;
  /** How long to wait for a plan decision before skipping the refactoring. Default 7 days. */
  planApprovalTimeoutSeconds?: number;
  /** Ask for approval when the budget runs out (true), or stop at once (false: a specialist's share). Default true. */
  budgetGate?: boolean;
  /** Set on a specialist: the coordinator to report progress to. */
  parentWorkflowId?: string;
  specialist?: Category;
}

export interface Specialist {
  name: Category;
  /** Fraction of the budget; the rest is split evenly among specialists without one. */
  budgetShare?: number;
  /** Deadline of the specialist's child workflow. */
  timeoutSeconds?: number;
}

export interface MultiAgentInput extends AnalysisInput {
  specialists?: Specialist[];
}

export type Stage =
  | 'loading-snapshot'
  | 'cheap-pass'
  | 'deep-pass'
  | 'awaiting-budget-approval'
  | 'planning'
  | 'awaiting-plan-approval'
  | 'refactoring'
  | 'specialists'
  | 'completed'
  | 'stopped-by-budget'
  | 'cancelled';

export interface StrategySwitch {
  from: string;
  to: string;
  reason: string;
  at: string;
}

export interface BudgetRequest {
  requestedAt: string;
  spent: number;
  budget: number;
  nextFile: string;
  depth: Depth;
  estimatedCost: number;
  /** The smallest budget that lets the next file run. */
  minimumBudget: number;
}

export interface BudgetDecisionInput {
  requestId: string;
  approved: boolean;
  newBudget?: number;
  decidedBy?: string;
}

export interface PlanDecisionInput {
  requestId: string;
  approved: boolean;
  approvedBy: string;
}

export interface DecisionOutcome {
  requestId: string;
  duplicate: boolean;
  approved: boolean;
  /** Budget decisions: the budget enforced from now on. */
  budget?: number;
  stage: Stage;
}

export interface BatchState {
  id: string;
  transform: TransformId;
  files: string[];
  status: 'pending' | 'applied' | 'rolled-back' | 'failed';
  reason?: string;
  /** path → version written / restored. */
  versions?: Record<string, { previousVersionId: string; versionId: string }>;
  newDiagnostics?: Array<{ file: string; line: number; code: number; message: string }>;
}

export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
}

export interface AnalysisProgress {
  analysisId: string;
  specialist?: Category;
  stage: Stage;
  strategy: string;
  strategySwitches: StrategySwitch[];
  files: { total: number; analysed: number; deepPlanned: number; deepAnalysed: number; inFlight: string[]; lastCompleted?: string };
  cost: { spent: number; budget: number; remaining: number; tokens: number };
  findingsBySeverity: SeverityCounts;
  pendingBudgetRequest?: BudgetRequest;
  budgetDecisions: Array<BudgetDecisionInput & { at: string; reason?: string }>;
  plan?: RefactorPlan;
  planDecision?: PlanDecisionInput & { at: string; reason?: string };
  batches: BatchState[];
  /** multi-agent: each specialist's latest progress. */
  specialists?: Record<string, SpecialistState>;
}

export interface SpecialistState {
  workflowId: string;
  status: 'running' | 'completed' | 'stopped-by-budget' | 'failed' | 'cancelled';
  budget: number;
  progress?: Pick<AnalysisProgress, 'stage' | 'files' | 'cost' | 'findingsBySeverity'>;
  error?: string;
}

export interface AnalysisResult {
  analysisId: string;
  status: 'completed' | 'stopped-by-budget';
  stoppedByBudget: boolean;
  snapshot: { bucket: string; prefix: string; snapshotId: string };
  files: { total: number; analysed: number; deep: number; notAnalysed: string[] };
  cost: { spent: number; budget: number; tokens: number };
  findingsBySeverity: SeverityCounts;
  findings: Finding[];
  complexity: Array<FunctionComplexity & { file: string }>;
  unusedExports: UnusedExport[];
  strategySwitches: StrategySwitch[];
  plan?: RefactorPlan;
  planDecision?: AnalysisProgress['planDecision'];
  batches: BatchState[];
  /** multi-agent only. */
  specialists?: Record<string, SpecialistState & { result?: Omit<AnalysisResult, 'specialists'> }>;
}

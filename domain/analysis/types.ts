/**
 * The analysis domain's plain types, shared by the analyser, the Lambda functions and the
 * workflows. This folder (domain/) holds only pure, deterministic code, because the workflows run
 * it in their sandbox: the determinism lint covers it (eslint.config.js).
 */

/** The transformations of the refactoring stage (lambdas/shared/analysis/transforms.ts applies them). */
export type TransformId = 'any-to-unknown' | 'strict-equality' | 'unexport-unused';

/** The files the analysis reads: TypeScript and JavaScript sources. */
export const ANALYSABLE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** What a specialist looks at; a finding belongs to exactly one category. */
export type Category = 'security' | 'performance' | 'architecture';
export const CATEGORIES: readonly Category[] = ['security', 'performance', 'architecture'];

export type RuleId =
  | 'eval'
  | 'sql-injection'
  | 'hardcoded-secret'
  | 'high-complexity'
  | 'await-in-loop'
  | 'sync-io'
  | 'explicit-any'
  | 'loose-equality'
  | 'unused-export'
  | 'implicit-any'
  | 'any-argument';

export const RULE_CATEGORY: Readonly<Record<RuleId, Category>> = {
  eval: 'security',
  'sql-injection': 'security',
  'hardcoded-secret': 'security',
  'high-complexity': 'performance',
  'await-in-loop': 'performance',
  'sync-io': 'performance',
  'explicit-any': 'architecture',
  'loose-equality': 'architecture',
  'unused-export': 'architecture',
  'implicit-any': 'architecture',
  'any-argument': 'architecture',
};

export interface Finding {
  rule: RuleId;
  category: Category;
  severity: Severity;
  /** Snapshot-relative path, forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

/** Cyclomatic complexity of one function-like declaration (1 + decision points). */
export interface FunctionComplexity {
  name: string;
  line: number;
  complexity: number;
}

/** An import of one module: the specifier as written and the names it takes ('*' for a namespace or re-export of all, 'default'). */
export interface ImportRecord {
  from: string;
  names: string[];
}

/**
 * `cheap`: one syntactic pass over the file (parse only).
 * `deep`: the cheap rules plus a type-checked pass over the file (implicit any, any-typed arguments).
 */
export type Depth = 'cheap' | 'deep';

export interface FileRef {
  path: string;
  sha256: string;
  size: number;
}

export interface AnalysisCost {
  /** Estimated tokens the analysis consumed (size-based for the static analyser, metered for a model). */
  tokens: number;
  /** tokens / 1000 × price per 1k tokens, in the budget's currency. */
  amount: number;
}

export interface FileFindings {
  path: string;
  sha256: string;
  depth: Depth;
  findings: Finding[];
  functions: FunctionComplexity[];
  exports: string[];
  imports: ImportRecord[];
  /** The file's risk score: severity weights plus complexity over the threshold (what the deep pass is chosen by). */
  score: number;
}

export interface AnalyzeRequest {
  file: FileRef;
  /** The file's text (UTF-8). */
  text: string;
  depth: Depth;
  /** Only findings of these categories (all when absent). Imports/exports are always reported. */
  categories?: Category[];
  pricePer1kTokens: number;
  /** Cost multiplier of a deep pass over a cheap one. */
  deepCostFactor: number;
  complexityThreshold: number;
}

/** What every analyser (the static one, or a language-model one) implements. */
export interface Analyzer {
  readonly name: string;
  analyze(request: AnalyzeRequest): Promise<FileFindings & { cost: AnalysisCost }>;
}

export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { critical: 10, high: 5, medium: 2, low: 1 };

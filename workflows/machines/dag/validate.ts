import { FUNCTIONS } from '../../../lambdas/catalog';
import { stepsByName } from '../../../runtime/steps/declare';
import { dagDefinitionSchema, type DagDefinition } from './definition';
import { expressionProblem } from './expressions';

/**
 * The rules of a DAG definition beyond its shape: unique ids, known dependencies, no cycle,
 * expressions that parse, Lambda steps that are declared. Each problem names the field (a path an
 * HTTP 400 can list as is), the step when there is one, and the rule it broke.
 */

export type DagRule =
  | 'schema'
  | 'duplicateId'
  | 'unknownDependency'
  | 'duplicateDependency'
  | 'cycle'
  | 'badExpression'
  | 'unknownStep'
  | 'unknownWorkflow';

export interface DagProblem {
  /** Where, from the definition's root: `steps[2].when`. */
  field: string;
  /** The step's id, when the problem is in a step. */
  step?: string;
  rule: DagRule;
  message: string;
}

export interface DagValidationContext {
  /** The Lambda step names a `lambda` task may name. Default: every step in lambdas/catalog.ts. */
  stepNames?: ReadonlySet<string>;
  /** The workflow types a `workflow` task may name; not checked when absent. */
  workflowTypes?: ReadonlySet<string>;
}

export type DagValidation = { ok: true; definition: DagDefinition } | { ok: false; problems: DagProblem[] };

/** The error `parseDagDefinition` throws: every problem, one per line in the message. */
export class DagDefinitionError extends Error {
  override readonly name = 'InvalidDagDefinition';
  constructor(readonly problems: DagProblem[]) {
    super(`invalid DAG definition: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
}

let catalogStepNames: ReadonlySet<string> | undefined;
function declaredStepNames(): ReadonlySet<string> {
  catalogStepNames ??= new Set(stepsByName(FUNCTIONS).keys());
  return catalogStepNames;
}

/** Validates a definition (any JSON value): its shape, then the rules between its fields. */
export function validateDagDefinition(raw: unknown, context: DagValidationContext = {}): DagValidation {
  const parsed = dagDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const ids = stepIdsOf(raw);
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const step = issue.path[0] === 'steps' && typeof issue.path[1] === 'number' ? ids[issue.path[1]] : undefined;
        return { field: pathText(issue.path) || '(definition)', ...(step !== undefined ? { step } : {}), rule: 'schema' as const, message: issue.message };
      }),
    };
  }
  const definition = parsed.data;
  const problems = [...idProblems(definition), ...cycleProblems(definition), ...expressionProblems(definition), ...taskProblems(definition, context)];
  return problems.length === 0 ? { ok: true, definition } : { ok: false, problems };
}

/** The validated definition, or a DagDefinitionError listing every problem. */
export function parseDagDefinition(raw: unknown, context: DagValidationContext = {}): DagDefinition {
  const result = validateDagDefinition(raw, context);
  if (!result.ok) throw new DagDefinitionError(result.problems);
  return result.definition;
}

function idProblems(definition: DagDefinition): DagProblem[] {
  const problems: DagProblem[] = [];
  const seen = new Set<string>();
  definition.steps.forEach((s, i) => {
    if (seen.has(s.id)) problems.push({ field: `steps[${i}].id`, step: s.id, rule: 'duplicateId', message: `step id "${s.id}" is used by more than one step` });
    seen.add(s.id);
  });
  definition.steps.forEach((s, i) => {
    const listed = new Set<string>();
    (s.dependsOn ?? []).forEach((dep, j) => {
      const field = `steps[${i}].dependsOn[${j}]`;
      if (!seen.has(dep)) problems.push({ field, step: s.id, rule: 'unknownDependency', message: `step "${s.id}" depends on "${dep}", which is not a step of this definition` });
      else if (listed.has(dep)) problems.push({ field, step: s.id, rule: 'duplicateDependency', message: `step "${s.id}" lists "${dep}" twice` });
      listed.add(dep);
    });
  });
  return problems;
}

/** Each cycle once, named by its steps in order (`a → b → a`), reported at the step that closes it. */
function cycleProblems(definition: DagDefinition): DagProblem[] {
  const index = new Map(definition.steps.map((s, i) => [s.id, i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const problems: DagProblem[] = [];
  const path: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'visiting');
    path.push(id);
    const i = index.get(id)!;
    for (const dep of definition.steps[i]!.dependsOn ?? []) {
      if (!index.has(dep)) continue;
      const seen = state.get(dep);
      if (seen === 'visiting') {
        const cycle = [...path.slice(path.indexOf(dep)), dep].reverse();
        problems.push({
          field: `steps[${i}].dependsOn`,
          step: id,
          rule: 'cycle',
          message: cycle.length === 2 ? `step "${id}" depends on itself` : `steps ${cycle.map((c) => `"${c}"`).join(' → ')} form a cycle: each must wait for the one before it`,
        });
      } else if (seen === undefined) visit(dep);
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const s of definition.steps) if (!state.has(s.id)) visit(s.id);
  return problems;
}

function expressionProblems(definition: DagDefinition): DagProblem[] {
  const problems: DagProblem[] = [];
  definition.steps.forEach((s, i) => {
    for (const key of ['input', 'when'] as const) {
      const text = s[key];
      const problem = text === undefined ? undefined : expressionProblem(text);
      if (problem !== undefined) problems.push({ field: `steps[${i}].${key}`, step: s.id, rule: 'badExpression', message: `step "${s.id}": ${key} is not a valid JSONata expression (${problem})` });
    }
  });
  const problem = definition.output === undefined ? undefined : expressionProblem(definition.output);
  if (problem !== undefined) problems.push({ field: 'output', rule: 'badExpression', message: `output is not a valid JSONata expression (${problem})` });
  return problems;
}

function taskProblems(definition: DagDefinition, context: DagValidationContext): DagProblem[] {
  const stepNames = context.stepNames ?? declaredStepNames();
  const problems: DagProblem[] = [];
  definition.steps.forEach((s, i) => {
    if (s.run.type === 'lambda' && !stepNames.has(s.run.step)) {
      problems.push({ field: `steps[${i}].run.step`, step: s.id, rule: 'unknownStep', message: `step "${s.id}" runs "${s.run.step}", which is not a declared Lambda step (lambdas/catalog.ts)` });
    }
    if (s.run.type === 'decision' && s.retry !== undefined) {
      problems.push({ field: `steps[${i}].retry`, step: s.id, rule: 'schema', message: `step "${s.id}" is a decision: retry does not apply (a person decides once; onTimeout says what no decision means)` });
    }
    if (s.run.type === 'workflow' && context.workflowTypes !== undefined && !context.workflowTypes.has(s.run.workflow)) {
      problems.push({ field: `steps[${i}].run.workflow`, step: s.id, rule: 'unknownWorkflow', message: `step "${s.id}" runs workflow "${s.run.workflow}", which the worker does not register` });
    }
  });
  return problems;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

/** The step ids of a definition that did not parse, where they can be read, for naming the step in a problem. */
function stepIdsOf(raw: unknown): Array<string | undefined> {
  const steps = (raw as { steps?: unknown } | null | undefined)?.steps;
  if (!Array.isArray(steps)) return [];
  return steps.map((s) => {
    const id = (s as { id?: unknown } | null | undefined)?.id;
    return typeof id === 'string' ? id : undefined;
  });
}

import type { StepDeclaration } from '../../../runtime/steps/declare';
import type { DagDefinition, DagRetryPolicy, DagStep, DagTask, DependencyPolicy } from './definition';
import { parseDagDefinition, type DagValidationContext } from './validate';

/**
 * A typed builder for DAG definitions, producing the same JSON one would write by hand:
 *
 *   const pipeline = dag({ maxConcurrency: 3 })
 *     .lambda('draft', contentWriter.steps.draft, { input: '{ "brief": input.brief }' })
 *     .lambda('summary', contentWriter.steps.summary, { dependsOn: ['draft'], input: '{ "draft": steps.draft.output.text }' })
 *     .build();
 *
 * A step may depend only on steps added before it, so an unknown dependency or a cycle does not
 * compile, nor does a repeated id; a Lambda step is named by its declaration, so it exists.
 */

/** What every kind of step takes besides what it runs; `dependsOn` lists steps added before it. */
export interface StepOptions<Ids extends string> {
  dependsOn?: readonly Ids[];
  /** JSONata over `{ input, steps }`; absent: the execution's input. */
  input?: string;
  /** JSONata over `{ input, steps }`: run only when true. */
  when?: string;
  requires?: DependencyPolicy;
  retry?: DagRetryPolicy;
  timeoutSeconds?: number;
}

/** A new step's id: any string but one already used. */
type NewId<Id extends string, Ids extends string> = Id extends Ids ? never : Id;

export interface DagOptions {
  comment?: string;
  maxConcurrency?: number;
  timeoutSeconds?: number;
  output?: string;
}

export class DagBuilder<Ids extends string = never> {
  private constructor(
    private readonly options: DagOptions,
    private readonly steps: readonly DagStep[],
  ) {}

  static create(options: DagOptions = {}): DagBuilder {
    return new DagBuilder(options, []);
  }

  /** A declared Lambda step (its declaration from lambdas/<function>/steps.ts). */
  lambda<Id extends string>(id: NewId<Id, Ids>, declaration: Pick<StepDeclaration, 'name'>, options: StepOptions<Ids> = {}): DagBuilder<Ids | Id> {
    return this.add(id, { type: 'lambda', step: declaration.name }, options);
  }

  /** A child workflow, by its type name or the workflow function itself; it receives the step's input as its argument. */
  workflow<Id extends string>(id: NewId<Id, Ids>, workflow: string | { readonly name: string }, options: StepOptions<Ids> & { taskQueue?: string } = {}): DagBuilder<Ids | Id> {
    const { taskQueue, ...rest } = options;
    return this.add(id, { type: 'workflow', workflow: typeof workflow === 'string' ? workflow : workflow.name, ...(taskQueue !== undefined ? { taskQueue } : {}) }, rest);
  }

  /** A person's decision, sent as the `dagDecision` update naming this step; `timeoutSeconds` is how long it waits. */
  decision<Id extends string>(id: NewId<Id, Ids>, options: Omit<StepOptions<Ids>, 'retry'> & { prompt: string; onTimeout?: 'fail' | 'approve' }): DagBuilder<Ids | Id> {
    const { prompt, onTimeout, ...rest } = options;
    return this.add(id, { type: 'decision', prompt, ...(onTimeout !== undefined ? { onTimeout } : {}) }, rest);
  }

  /** The run's output: JSONata over `{ input, steps }`. */
  output(expression: string): DagBuilder<Ids> {
    return new DagBuilder({ ...this.options, output: expression }, this.steps);
  }

  /** The definition as JSON, not validated. */
  toJSON(): DagDefinition {
    const { comment, maxConcurrency, timeoutSeconds, output } = this.options;
    return {
      kind: 'dag',
      ...(comment !== undefined ? { comment } : {}),
      ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      ...(output !== undefined ? { output } : {}),
      steps: [...this.steps],
    };
  }

  /** The definition, validated as a registered one is (expressions parse, Lambda steps are declared); throws DagDefinitionError. */
  build(context?: DagValidationContext): DagDefinition {
    return parseDagDefinition(this.toJSON(), context);
  }

  private add<Id extends string>(id: Id, run: DagTask, options: StepOptions<Ids>): DagBuilder<Ids | Id> {
    const { dependsOn, input, when, requires, retry, timeoutSeconds } = options;
    const step: DagStep = {
      id,
      ...(dependsOn !== undefined && dependsOn.length > 0 ? { dependsOn: [...dependsOn] } : {}),
      run,
      ...(input !== undefined ? { input } : {}),
      ...(when !== undefined ? { when } : {}),
      ...(requires !== undefined ? { requires } : {}),
      ...(retry !== undefined ? { retry } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    };
    return new DagBuilder<Ids | Id>(this.options, [...this.steps, step]);
  }
}

/** Starts a DAG definition: `dag({ maxConcurrency }).lambda(...).build()`. */
export function dag(options: DagOptions = {}): DagBuilder {
  return DagBuilder.create(options);
}

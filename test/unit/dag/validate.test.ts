import { contentWriter } from '../../../lambdas/content-writer/steps';
import { dag } from '../../../workflows/machines/dag/builder';
import type { DagDefinition } from '../../../workflows/machines/dag/definition';
import { contentPipeline } from '../../../workflows/machines/dag/examples/content-pipeline';
import { DagDefinitionError, parseDagDefinition, validateDagDefinition, type DagProblem } from '../../../workflows/machines/dag/validate';

/** Definition rules: each problem names the field, the step and the rule, the way an HTTP 400 will list them. */

const lambda = (step = 'writeSummary') => ({ type: 'lambda' as const, step });

function problems(raw: unknown): DagProblem[] {
  const result = validateDagDefinition(raw);
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.problems;
}

describe('validateDagDefinition', () => {
  it('accepts a definition with parallel branches, a condition and a decision', () => {
    const definition: DagDefinition = {
      kind: 'dag',
      maxConcurrency: 2,
      steps: [
        { id: 'a', run: lambda('writeDraft'), input: '{ "brief": input.brief }' },
        { id: 'b', dependsOn: ['a'], run: lambda(), input: '{ "draft": steps.a.output.text }' },
        { id: 'c', dependsOn: ['a'], run: lambda(), when: 'steps.a.output.words > 500' },
        { id: 'ok', dependsOn: ['b', 'c'], requires: 'noneFailed', run: { type: 'decision', prompt: 'Publish?' }, timeoutSeconds: 3600 },
      ],
    };
    expect(validateDagDefinition(definition)).toEqual({ ok: true, definition });
  });

  it('refuses a cycle once, naming its steps in order, at the step whose dependency closes it', () => {
    const found = problems({
      kind: 'dag',
      steps: [
        { id: 'a', dependsOn: ['c'], run: lambda() },
        { id: 'b', dependsOn: ['a'], run: lambda() },
        { id: 'c', dependsOn: ['b'], run: lambda() },
      ],
    });
    expect(found).toEqual([{ field: 'steps[1].dependsOn', step: 'b', rule: 'cycle', message: 'steps "a" → "b" → "c" → "a" form a cycle: each must wait for the one before it' }]);
  });

  it('refuses a step that depends on itself', () => {
    expect(problems({ kind: 'dag', steps: [{ id: 'a', dependsOn: ['a'], run: lambda() }] })).toEqual([
      { field: 'steps[0].dependsOn', step: 'a', rule: 'cycle', message: 'step "a" depends on itself' },
    ]);
  });

  it('refuses an unknown dependency, a repeated dependency and a duplicate id', () => {
    const found = problems({
      kind: 'dag',
      steps: [
        { id: 'a', run: lambda() },
        { id: 'b', dependsOn: ['a', 'a', 'nope'], run: lambda() },
        { id: 'a', run: lambda() },
      ],
    });
    expect(found.map(({ field, step, rule }) => ({ field, step, rule }))).toEqual([
      { field: 'steps[2].id', step: 'a', rule: 'duplicateId' },
      { field: 'steps[1].dependsOn[1]', step: 'b', rule: 'duplicateDependency' },
      { field: 'steps[1].dependsOn[2]', step: 'b', rule: 'unknownDependency' },
    ]);
    expect(found[2]!.message).toBe('step "b" depends on "nope", which is not a step of this definition');
  });

  it('refuses an expression JSONata cannot parse, naming the step, the field and the parser error', () => {
    const found = problems({ kind: 'dag', steps: [{ id: 'a', run: lambda(), when: 'steps.a.output.words >' }], output: '{ "x": }' });
    expect(found.map(({ field, step, rule }) => ({ field, step, rule }))).toEqual([
      { field: 'steps[0].when', step: 'a', rule: 'badExpression' },
      { field: 'output', rule: 'badExpression' },
    ]);
    expect(found[0]!.message).toMatch(/^step "a": when is not a valid JSONata expression \(S\d{4}: .+ at position \d+\)$/);
  });

  it('refuses a Lambda step name that is not declared, and a workflow the worker does not register when told which it does', () => {
    const found = validateDagDefinition(
      { kind: 'dag', steps: [{ id: 'a', run: lambda('writeNovel') }, { id: 'b', run: { type: 'workflow', workflow: 'nowhere' } }] },
      { workflowTypes: new Set(['textStatsJob']) },
    );
    expect(found.ok ? [] : found.problems).toEqual([
      { field: 'steps[0].run.step', step: 'a', rule: 'unknownStep', message: 'step "a" runs "writeNovel", which is not a declared Lambda step (lambdas/catalog.ts)' },
      { field: 'steps[1].run.workflow', step: 'b', rule: 'unknownWorkflow', message: 'step "b" runs workflow "nowhere", which the worker does not register' },
    ]);
  });

  it('refuses a retry policy on a decision step, which would be ignored', () => {
    expect(problems({ kind: 'dag', steps: [{ id: 'ok', run: { type: 'decision', prompt: 'Go?' }, retry: { maximumAttempts: 2 } }] })).toEqual([
      { field: 'steps[0].retry', step: 'ok', rule: 'schema', message: 'step "ok" is a decision: retry does not apply (a person decides once; onTimeout says what no decision means)' },
    ]);
  });

  it('reports shape errors by path, with the step id when it can be read', () => {
    const found = problems({ kind: 'dag', maxConcurrency: 0, steps: [{ id: 'a', run: { type: 'shell', command: 'rm -rf /' } }, { id: '9x', run: lambda(), extra: 1 }] });
    expect(found.map(({ field, step, rule }) => ({ field, step, rule }))).toEqual(
      expect.arrayContaining([
        { field: 'maxConcurrency', rule: 'schema' },
        { field: 'steps[0].run.type', step: 'a', rule: 'schema' },
        { field: 'steps[1].id', step: '9x', rule: 'schema' },
        { field: 'steps[1]', step: '9x', rule: 'schema' },
      ]),
    );
    expect(problems({ kind: 'asl' })[0]).toMatchObject({ field: 'kind', rule: 'schema' });
    expect(problems(null)[0]).toMatchObject({ field: '(definition)', rule: 'schema' });
  });

  it('parseDagDefinition throws every problem in one error', () => {
    const attempt = () => parseDagDefinition({ kind: 'dag', steps: [{ id: 'a', dependsOn: ['x'], run: lambda('nope') }] });
    expect(attempt).toThrow(DagDefinitionError);
    expect(attempt).toThrow('invalid DAG definition: steps[0].dependsOn[0]: step "a" depends on "x", which is not a step of this definition; steps[0].run.step: step "a" runs "nope", which is not a declared Lambda step (lambdas/catalog.ts)');
  });
});

describe('dag() builder', () => {
  it('produces the JSON one would write by hand', () => {
    const built = dag({ maxConcurrency: 2, timeoutSeconds: 600 })
      .lambda('draft', contentWriter.steps.draft, { input: '{ "brief": input.brief }' })
      .lambda('summary', contentWriter.steps.summary, { dependsOn: ['draft'], input: '{ "draft": steps.draft.output.text }', retry: { maximumAttempts: 2 } })
      .workflow('stats', 'textStatsJob', { dependsOn: ['draft'], taskQueue: 'other', timeoutSeconds: 120 })
      .decision('approval', { dependsOn: ['summary', 'stats'], requires: 'noneFailed', prompt: 'Ship it?', onTimeout: 'approve', timeoutSeconds: 60 })
      .output('steps.summary.output.text')
      .build();
    expect(built).toEqual({
      kind: 'dag',
      maxConcurrency: 2,
      timeoutSeconds: 600,
      output: 'steps.summary.output.text',
      steps: [
        { id: 'draft', run: { type: 'lambda', step: 'writeDraft' }, input: '{ "brief": input.brief }' },
        { id: 'summary', dependsOn: ['draft'], run: { type: 'lambda', step: 'writeSummary' }, input: '{ "draft": steps.draft.output.text }', retry: { maximumAttempts: 2 } },
        { id: 'stats', dependsOn: ['draft'], run: { type: 'workflow', workflow: 'textStatsJob', taskQueue: 'other' }, timeoutSeconds: 120 },
        { id: 'approval', dependsOn: ['summary', 'stats'], run: { type: 'decision', prompt: 'Ship it?', onTimeout: 'approve' }, requires: 'noneFailed', timeoutSeconds: 60 },
      ],
    });
    // Dependencies are typed: only steps added before compile, and an id cannot be used twice.
    // @ts-expect-error 'later' is not a step added before this one
    dag().lambda('a', contentWriter.steps.draft, { dependsOn: ['later'] });
    // @ts-expect-error 'a' is used already
    dag().lambda('a', contentWriter.steps.draft).lambda('a', contentWriter.steps.summary);
  });

  it('build() validates what types cannot check: expressions', () => {
    expect(() => dag().lambda('a', contentWriter.steps.draft, { when: '(' }).build()).toThrow(/steps\[0\]\.when: step "a": when is not a valid JSONata expression/);
  });

  it('builds the content pipeline example into a valid definition', () => {
    expect(validateDagDefinition(contentPipeline).ok).toBe(true);
    expect(contentPipeline.steps.map((s) => [s.id, s.dependsOn ?? []])).toEqual([
      ['draft', []],
      ['socialPost', ['draft']],
      ['email', ['draft']],
      ['summary', ['draft']],
      ['qualityCheck', ['draft']],
      ['approval', ['socialPost', 'email', 'summary', 'qualityCheck']],
    ]);
  });
});

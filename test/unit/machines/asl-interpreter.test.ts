import { STATES_ERRORS } from '../../../workflows/machines/asl/errors';
import type { AslMachine } from '../../../workflows/machines/asl/types';
import { ARN, failureOf, harness } from './plain-host';

/**
 * The interpreter's semantics with a plain host: functions are in-process JavaScript, timers
 * advance a clock. (test/workflow/state-machine.test.ts runs the same code inside Temporal.)
 */

class FunctionError extends Error {}

const failing = (name: string, times: number) => {
  let left = times;
  return () => {
    if (left-- > 0) {
      const e = new FunctionError('try again');
      e.name = name;
      throw e;
    }
    return { ok: true };
  };
};

describe('ASL interpreter (JSONPath)', () => {
  it('InputPath, Parameters, ResultSelector, ResultPath and OutputPath, in that order, around a Lambda task', async () => {
    const { run, calls } = harness({ add: (p) => ({ sum: (p as { a: number; b: number }).a + (p as { a: number; b: number }).b, noise: 'x' }) });
    const output = await run(
      {
        StartAt: 'Add',
        States: {
          Add: {
            Type: 'Task',
            Resource: ARN('add'),
            InputPath: '$.numbers',
            Parameters: { 'a.$': '$.x', 'b.$': '$.y', note: 'literal' },
            ResultSelector: { 'total.$': '$.sum' },
            ResultPath: '$.numbers.result',
            OutputPath: '$.numbers',
            End: true,
          },
        },
      },
      { numbers: { x: 2, y: 3 }, other: true },
    );
    expect(calls[0]!.payload).toEqual({ a: 2, b: 3, note: 'literal' });
    expect(output).toEqual({ x: 2, y: 3, result: { total: 5 } });
  });

  it('lambda:invoke sends Payload as the event and shapes the result like Step Functions (Payload, StatusCode...)', async () => {
    const { run, calls } = harness({ echo: (p) => p });
    const output = await run(
      {
        StartAt: 'Invoke',
        States: { Invoke: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'echo', 'Payload.$': '$' }, End: true } },
      },
      { hello: 'world' },
    );
    expect(calls[0]).toMatchObject({ functionName: 'echo', payload: { hello: 'world' } });
    expect(output).toEqual({
      ExecutedVersion: '$LATEST',
      Payload: { hello: 'world' },
      SdkHttpMetadata: { HttpHeaders: {}, HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: 'req-1' },
      StatusCode: 200,
    });
  });

  it('retries with backoff until MaxAttempts, then the Catch sends the error on with ResultPath', async () => {
    const { run, sleeps, history } = harness({ flaky: failing('Busy', 10) });
    const output = await run(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: ARN('flaky'),
            Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 3 }],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      },
      { job: 1 },
    );
    expect(sleeps).toEqual([2000, 6000, 18000]);
    expect(output).toEqual({ job: 1, error: { Error: 'Busy', Cause: JSON.stringify({ errorType: 'Busy', errorMessage: 'try again' }) } });
    expect(history.map((h) => [h.name, h.status, h.attempts])).toEqual([
      ['Call', 'CAUGHT', 4],
      ['Handled', 'SUCCEEDED', 1],
    ]);
  });

  it('a retry that succeeds continues normally; MaxAttempts 0 never retries', async () => {
    const ok = harness({ flaky: failing('Busy', 1) });
    await expect(ok.run({ StartAt: 'C', States: { C: { Type: 'Task', Resource: ARN('flaky'), Retry: [{ ErrorEquals: ['Busy'] }], End: true } } }, {})).resolves.toEqual({ ok: true });
    const never = harness({ flaky: failing('Busy', 1) });
    const failure = await failureOf(never.run({ StartAt: 'C', States: { C: { Type: 'Task', Resource: ARN('flaky'), Retry: [{ ErrorEquals: ['Busy'], MaxAttempts: 0 }], End: true } } }, {}));
    expect(failure.error).toBe('Busy');
    expect(never.sleeps).toEqual([]);
  });

  it('States.Runtime is neither retried nor caught', async () => {
    const { run, history } = harness({});
    const failure = await failureOf(
      run(
        {
          StartAt: 'P',
          States: {
            P: { Type: 'Task', Resource: ARN('none'), InputPath: '$.missing', Retry: [{ ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }], End: true },
            X: { Type: 'Pass', End: true },
          },
        },
        {},
      ),
    );
    expect(failure.error).toBe(STATES_ERRORS.Runtime);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  });

  it('data over 256 KiB is States.DataLimitExceeded, which no Catch handles', async () => {
    const { run, calls } = harness({ big: () => 'x'.repeat(300_000), echo: (p) => p });
    const caught = (resource: string, parameters?: unknown): AslMachine => ({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: resource, Parameters: parameters, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }], End: true }, X: { Type: 'Pass', End: true } },
    });
    expect((await failureOf(run(caught(ARN('big')), {}))).error).toBe(STATES_ERRORS.DataLimitExceeded);
    // 100,000 two-byte characters twice: 400,000 bytes of payload, never sent.
    const twice = await failureOf(run(caught(ARN('echo'), { 'a.$': '$.text', 'b.$': '$.text' }), { text: 'é'.repeat(100_000) }));
    expect(twice.cause).toMatch(/payload of the Task 'T' is 4000\d\d bytes/);
    expect((await failureOf(run(caught(ARN('echo')), { text: 'x'.repeat(300_000) }))).cause).toMatch(/execution's input/);
    expect(calls.map((c) => c.functionName)).toEqual([ARN('big')]);
    await expect(run(caught(ARN('echo')), { text: 'é'.repeat(100_000) })).resolves.toEqual({ text: 'é'.repeat(100_000) });
  });

  it('Choice picks the first matching rule, else Default, else States.NoChoiceMatched', async () => {
    const definition: AslMachine = {
      StartAt: 'Route',
      States: {
        Route: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.n', NumericGreaterThan: 10 }, { Variable: '$.kind', StringEquals: 'big' }], Next: 'Big' },
            { Variable: '$.n', NumericLessThan: 0, Next: 'Negative' },
          ],
          Default: 'Other',
        },
        Big: { Type: 'Pass', Result: 'big', End: true },
        Negative: { Type: 'Pass', Result: 'negative', End: true },
        Other: { Type: 'Pass', Result: 'other', End: true },
      },
    };
    const { run } = harness({});
    await expect(run(definition, { n: 11, kind: 'big' })).resolves.toBe('big');
    await expect(run(definition, { n: -1 })).resolves.toBe('negative');
    await expect(run(definition, { n: 5 })).resolves.toBe('other');
    const { Default: _d, ...noDefault } = definition.States.Route!;
    const failure = await failureOf(run({ ...definition, States: { ...definition.States, Route: noDefault } }, { n: 5 }));
    expect(failure.error).toBe(STATES_ERRORS.NoChoiceMatched);
  });

  it('Wait: Seconds, SecondsPath, Timestamp and TimestampPath sleep for the right time', async () => {
    const { run, sleeps } = harness({});
    await run(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Wait', Seconds: 5, Next: 'B' },
          B: { Type: 'Wait', SecondsPath: '$.delay', Next: 'C' },
          C: { Type: 'Wait', Timestamp: '2026-12-03T13:00:00Z', Next: 'D' },
          D: { Type: 'Wait', TimestampPath: '$.until', End: true },
        },
      },
      { delay: 7, until: '2026-12-03T12:00:00Z' },
    );
    // C waits from 12:00:12 to 13:00:00; D's timestamp is past: no wait.
    expect(sleeps).toEqual([5000, 7000, 3600000 - 12000, 0]);
  });

  it('Fail: Error and Cause, or ErrorPath and CausePath (paths and intrinsics)', async () => {
    const { run } = harness({});
    const literal = await failureOf(run({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Bad', Cause: 'because' } } }, {}));
    expect([literal.error, literal.cause]).toEqual(['Bad', 'because']);
    const dynamic = await failureOf(run({ StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.code', CausePath: "States.Format('item {} failed', $.id)" } } }, { code: 'E42', id: 7 }));
    expect([dynamic.error, dynamic.cause]).toEqual(['E42', 'item 7 failed']);
  });

  it('Parallel runs each branch on the input; a branch failure fails the state', async () => {
    const { run } = harness({ double: (p) => (p as number) * 2, square: (p) => (p as number) ** 2, boom: failing('Boom', 99) });
    const parallel = (third: string): AslMachine => ({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          InputPath: '$.n',
          Branches: [
            { StartAt: 'D', States: { D: { Type: 'Task', Resource: ARN('double'), End: true } } },
            { StartAt: 'S', States: { S: { Type: 'Task', Resource: ARN(third), End: true } } },
          ],
          ResultPath: '$.results',
          End: true,
        },
      },
    });
    await expect(run(parallel('square'), { n: 4 })).resolves.toEqual({ n: 4, results: [8, 16] });
    expect((await failureOf(run(parallel('boom'), { n: 4 }))).error).toBe('Boom');
  });

  it('inline Map: ItemsPath, ItemSelector with $$.Map.Item, MaxConcurrency, results in item order', async () => {
    let inFlight = 0;
    let peak = 0;
    const { run, history } = harness({
      work: async (p) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        const { index, value, prefix } = p as { index: number; value: number; prefix: string };
        return `${prefix}${index}:${value * 10}`;
      },
    });
    const output = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.values',
            MaxConcurrency: 2,
            ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'prefix.$': '$.prefix' },
            ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'W', States: { W: { Type: 'Task', Resource: ARN('work'), End: true } } },
            End: true,
          },
        },
      },
      { values: [1, 2, 3, 4, 5], prefix: '#' },
    );
    expect(output).toEqual(['#0:10', '#1:20', '#2:30', '#3:40', '#4:50']);
    expect(peak).toBe(2);
    expect(history.filter((h) => h.name.startsWith('M/')).map((h) => h.name)).toEqual(expect.arrayContaining(['M/0/W', 'M/4/W']));
  });

  it('Assign sets variables that later states read as $name', async () => {
    const { run } = harness({});
    const output = await run(
      {
        StartAt: 'Remember',
        States: {
          Remember: { Type: 'Pass', Assign: { 'who.$': '$.user', fixed: 3 }, Next: 'Use' },
          Use: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('hi {}', $who)", 'n.$': '$fixed' }, End: true },
        },
      },
      { user: 'ada' },
    );
    expect(output).toEqual({ greeting: 'hi ada', n: 3 });
  });

  it("Choice: a matched rule's Assign, or the state's Assign with the Default", async () => {
    const { run } = harness({});
    const definition: AslMachine = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Assign: { route: 'one' }, Next: 'Out' }], Default: 'Out', Assign: { route: 'default' } },
        Out: { Type: 'Pass', Parameters: { 'route.$': '$route' }, End: true },
      },
    };
    await expect(run(definition, { n: 1 })).resolves.toEqual({ route: 'one' });
    await expect(run(definition, { n: 2 })).resolves.toEqual({ route: 'default' });
  });

  it('a Catch whose ResultPath does not fit the input fails the state with States.ResultPathMatchFailure', async () => {
    const { run, history } = harness({ boom: failing('Boom', 9) });
    const failure = await failureOf(run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: ARN('boom'), Catch: [{ ErrorEquals: ['Boom'], ResultPath: '$.error', Next: 'X' }], End: true }, X: { Type: 'Pass', End: true } } }, 'not an object'));
    expect(failure.error).toBe(STATES_ERRORS.ResultPathMatchFailure);
    expect(history).toEqual([expect.objectContaining({ name: 'T', status: 'FAILED', error: STATES_ERRORS.ResultPathMatchFailure })]);
  });

  it('the context object: execution, state and retry count', async () => {
    const { run } = harness({});
    const output = await run(
      { StartAt: 'Ctx', States: { Ctx: { Type: 'Pass', Parameters: { 'exec.$': '$$.Execution.Name', 'state.$': '$$.State.Name', 'input.$': '$$.Execution.Input', 'retry.$': '$$.State.RetryCount' }, End: true } } },
      { a: 1 },
    );
    expect(output).toEqual({ exec: 'e', state: 'Ctx', input: { a: 1 }, retry: 0 });
  });
});

describe('ASL interpreter (JSONata)', () => {
  it('Arguments, Output, Assign, variables and $states', async () => {
    const { run, calls } = harness({ add: (p) => ({ sum: (p as number[]).reduce((a, b) => a + b, 0) }) });
    const output = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Prepare',
        States: {
          Prepare: { Type: 'Pass', Assign: { factor: '{% $states.input.factor %}' }, Output: '{% $states.input.values %}', Next: 'Sum' },
          Sum: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Arguments: { FunctionName: 'add', Payload: '{% $states.input %}' },
            Output: '{% {"total": $states.result.Payload.sum * $factor, "exec": $states.context.Execution.Name} %}',
            Next: 'Check',
          },
          Check: {
            Type: 'Choice',
            Choices: [{ Condition: '{% $states.input.total > 50 %}', Next: 'Big', Output: { big: '{% $states.input.total %}' } }],
            Default: 'Small',
          },
          Big: { Type: 'Succeed' },
          Small: { Type: 'Succeed', Output: 'small' },
        },
      },
      { values: [10, 20, 30], factor: 2 },
    );
    expect(calls[0]!.payload).toEqual([10, 20, 30]);
    expect(output).toEqual({ big: 120 });
  });

  it('Catch with Output over $states.errorOutput; a failing expression is States.QueryEvaluationError', async () => {
    const { run } = harness({ boom: failing('Boom', 9) });
    const output = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: ARN('boom'), Catch: [{ ErrorEquals: ['Boom'], Output: '{% {"caught": $states.errorOutput.Error, "in": $states.input} %}', Next: 'Done' }], End: true },
          Done: { Type: 'Pass', End: true },
        },
      },
      { x: 1 },
    );
    expect(output).toEqual({ caught: 'Boom', in: { x: 1 } });
    const bad = await failureOf(run({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input.nothing %}', End: true } } }, {}));
    expect(bad.error).toBe(STATES_ERRORS.QueryEvaluationError);
  });

  it("Step Functions' JSONata functions: $partition, $range, $hash, $random, $uuid, $parse", async () => {
    const { run } = harness({});
    const output = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'F',
        States: {
          F: {
            Type: 'Pass',
            Output: {
              partition: '{% $partition([1, 2, 3, 4, 5], 2) %}',
              range: '{% $range(0, 10, 5) %}',
              hash: "{% $hash('abc', 'SHA-1') %}",
              random: '{% $random() %}',
              seeded: '{% $random(7) = $random(7) %}',
              uuid: '{% $uuid() %}',
              parsed: '{% $parse($states.input.json).a %}',
            },
            End: true,
          },
        },
      },
      { json: '{"a":[1,2]}' },
    );
    expect(output).toEqual({
      partition: [[1, 2], [3, 4], [5]],
      range: [0, 5, 10],
      hash: 'a9993e364706816aba3e25717850c26c9cd0d89d',
      random: 0.5,
      seeded: true,
      uuid: '00000000-0000-4000-8000-000000000000',
      parsed: [1, 2],
    });
  });

  it('Map with Items and ItemSelector over $states.context.Map.Item', async () => {
    const { run } = harness({});
    const output = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            Items: '{% $states.input.words %}',
            ItemSelector: { word: '{% $states.context.Map.Item.Value %}', at: '{% $states.context.Map.Item.Index %}' },
            ItemProcessor: { StartAt: 'U', States: { U: { Type: 'Pass', Output: '{% $uppercase($states.input.word) & $string($states.input.at) %}', End: true } } },
            End: true,
          },
        },
      },
      { words: ['a', 'b'] },
    );
    expect(output).toEqual(['A0', 'B1']);
  });
});

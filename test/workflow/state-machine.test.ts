import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { RawInvokeRequest, RawInvokeResponse } from '../../runtime/lambda/envelope';
import { statesFailureFromFunctionError } from '../../runtime/lambda/states-errors';
import type { AslMachine } from '../../workflows/machines/asl/types';
import { STATE_MACHINE_MESSAGES } from '../../workflows/machines/names';
import type { ExecutionHistory, StateMachineResult } from '../../workflows/machines/types';
import type { executeStateMachine } from '../../workflows/machines/workflow';
import { createTimeSkippingEnv } from '../support/time-skipping';

/**
 * The interpreter workflow in Temporal (time-skipping server): ASL semantics that depend on the
 * sandbox and on Temporal (timers for Wait and Retry, activity timeouts as States.Timeout,
 * concurrency and cancellation, replay). The `invokeFunctionRaw` activity is in-process here; its
 * failures are built by the worker's own mapping from a Lambda error payload.
 */
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
}, 300_000);

afterAll(async () => {
  await env?.teardown();
});

const ARN = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

interface Call {
  functionName: string;
  payload: unknown;
  at: number;
}

type Fn = (payload: unknown, calls: Call[]) => Promise<unknown>;

/** A Lambda error as Lambda's runtime reports it, through the worker's mapping. */
function functionError(errorType: string, errorMessage: string): Error {
  return statesFailureFromFunctionError(JSON.stringify({ errorType, errorMessage, trace: [] }));
}

const FUNCTIONS: Record<string, Fn> = {
  echo: (payload) => Promise.resolve(payload),
  wordCount: (payload) => Promise.resolve({ words: String((payload as { text: string }).text).split(/\s+/).filter(Boolean).length }),
  /** Fails with Busy twice, then answers. */
  flaky: (_payload, calls) => (calls.filter((c) => c.functionName.endsWith('flaky')).length <= 2 ? Promise.reject(functionError('Busy', 'try later')) : Promise.resolve('finally')),
  fails: () => Promise.reject(functionError('PaymentDeclined', 'card expired')),
  /** Heartbeats for up to 10 s of real time, so it learns of a cancellation. */
  patient: async () => {
    const ctx = Context.current();
    for (let i = 0; i < 100 && !ctx.cancellationSignal.aborted; i++) {
      ctx.heartbeat();
      await sleep(100);
    }
    return ctx.cancellationSignal.aborted ? 'cancelled' : 'finished';
  },
  /** Runs for 10 s of real time without heartbeating, unless cancelled. */
  slow: async () => {
    const ctx = Context.current();
    await Promise.race([sleep(10_000), ctx.cancelled]);
    return 'too late';
  },
};

async function execute(definition: AslMachine, input: unknown): Promise<{ result: StateMachineResult; history: ExecutionHistory; calls: Call[]; workflowId: string }> {
  const calls: Call[] = [];
  const taskQueue = `asl-${randomUUID()}`;
  const workflowId = `asl-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../workflows/machines/workflow'),
    activities: {
      invokeFunctionRaw: async (request: RawInvokeRequest): Promise<RawInvokeResponse> => {
        const name = request.functionName.split(':').pop()!;
        const call = { functionName: request.functionName, payload: request.payload, at: Date.now() };
        calls.push(call);
        const fn = FUNCTIONS[name];
        if (fn === undefined) throw functionError('ResourceNotFoundException', `no function ${name}`);
        return { payload: await fn(request.payload, calls), statusCode: 200, executedVersion: '$LATEST', requestId: 'r', headers: {} };
      },
    },
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof executeStateMachine>('executeStateMachine', { taskQueue, workflowId, args: [{ kind: 'asl', name: 'test-machine', definition, input }] });
    const result = await handle.result();
    const history = await handle.query<ExecutionHistory>(STATE_MACHINE_MESSAGES.historyQuery);
    return { result, history, calls, workflowId };
  });
}

describe('executeStateMachine (ASL) in Temporal', () => {
  it('runs Task, Retry (timers), Choice, Wait, Parallel and Map; records each state with timings; replays', async () => {
    const definition: AslMachine = {
      StartAt: 'Count',
      States: {
        Count: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'wordCount', 'Payload.$': '$' },
          ResultSelector: { 'words.$': '$.Payload.words' },
          ResultPath: '$.count',
          Next: 'Flaky',
        },
        Flaky: {
          Type: 'Task',
          Resource: ARN('flaky'),
          Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 60, BackoffRate: 2 }],
          ResultPath: '$.flaky',
          Next: 'Long?',
        },
        'Long?': { Type: 'Choice', Choices: [{ Variable: '$.count.words', NumericGreaterThan: 3, Next: 'Pause' }], Default: 'Short' },
        Short: { Type: 'Fail', Error: 'TooShort' },
        Pause: { Type: 'Wait', Seconds: 3600, Next: 'Fan out' },
        'Fan out': {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Echo', States: { Echo: { Type: 'Task', Resource: ARN('echo'), InputPath: '$.count', End: true } } },
            {
              StartAt: 'Each',
              States: {
                Each: {
                  Type: 'Map',
                  ItemsPath: '$.tags',
                  MaxConcurrency: 2,
                  ItemSelector: { 'tag.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index' },
                  ItemProcessor: { StartAt: 'Tag', States: { Tag: { Type: 'Pass', Parameters: { 'label.$': "States.Format('{}#{}', $.tag, $.i)" }, End: true } } },
                  End: true,
                },
              },
            },
          ],
          ResultPath: '$.fanned',
          Next: 'Done',
        },
        Done: { Type: 'Succeed', OutputPath: '$.fanned' },
      },
    };
    const before = await env.currentTimeMs();
    const { result, history, calls, workflowId } = await execute(definition, { text: 'one two three four five', tags: ['a', 'b', 'c'] });
    expect(result).toEqual({ status: 'SUCCEEDED', output: [{ words: 5 }, [{ label: 'a#0' }, { label: 'b#1' }, { label: 'c#2' }]] });
    // The state machine's own retries: three calls, none by Temporal (maximumAttempts 1).
    expect(calls.filter((c) => c.functionName.endsWith('flaky'))).toHaveLength(3);
    // Wait 1 h and the retry delays (60 s, 120 s) ran as durable timers: the server's clock moved past them.
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual((3600 + 60 + 120) * 1000);
    expect(history.status).toBe('SUCCEEDED');
    const byName = Object.fromEntries(history.states.map((s) => [s.name, s]));
    expect(byName.Flaky).toMatchObject({ status: 'SUCCEEDED', attempts: 3, type: 'Task' });
    expect(byName.Flaky!.durationMs).toBeGreaterThanOrEqual(180_000);
    expect(byName.Pause!.durationMs).toBeGreaterThanOrEqual(3_600_000);
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['Count', 'Long?', 'Fan out', 'Fan out/0/Echo', 'Fan out/1/Each', 'Fan out/1/Each/2/Tag', 'Done']));
    for (const s of history.states) expect(Date.parse(s.exitedAt) - Date.parse(s.enteredAt)).toBe(s.durationMs);

    const recorded = await env.client.workflow.getHandle(workflowId).fetchHistory();
    await expect(Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows/machines/workflow') }, recorded, workflowId)).resolves.toBeUndefined();
  });

  it("a failing Parallel branch fails the state with the branch's error and cancels the branch still running", async () => {
    const { result, history, workflowId } = await execute(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Wait a bit', States: { 'Wait a bit': { Type: 'Task', Resource: ARN('patient'), HeartbeatSeconds: 2, End: true } } },
              { StartAt: 'Pay', States: { Pay: { Type: 'Task', Resource: ARN('fails'), End: true } } },
            ],
            End: true,
          },
        },
      },
      {},
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'PaymentDeclined' });
    expect(Object.fromEntries(history.states.map((s) => [s.name, s.status]))).toEqual({ 'Both/0/Wait a bit': 'ABORTED', 'Both/1/Pay': 'FAILED', Both: 'FAILED' });
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    expect(events.filter((e) => e.activityTaskCancelRequestedEventAttributes)).toHaveLength(1);
  });

  it('a function error that nothing catches fails the execution with its errorType and Lambda error payload as the cause', async () => {
    const { result, history } = await execute({ StartAt: 'Pay', States: { Pay: { Type: 'Task', Resource: ARN('fails'), Retry: [{ ErrorEquals: ['States.Timeout'] }], End: true } } }, {});
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PaymentDeclined');
    expect(JSON.parse(result.cause!)).toMatchObject({ errorType: 'PaymentDeclined', errorMessage: 'card expired' });
    expect(history.states).toEqual([expect.objectContaining({ name: 'Pay', status: 'FAILED', attempts: 1, error: 'PaymentDeclined' })]);
  });

  it('TimeoutSeconds and HeartbeatSeconds end the task as States.Timeout, which States.TaskFailed does not catch', async () => {
    const machine = (limits: Record<string, number>): AslMachine => ({
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: ARN('slow'),
          ...limits,
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], Next: 'WrongCatch' },
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
          ],
          End: true,
        },
        WrongCatch: { Type: 'Fail', Error: 'WrongCatch' },
        TimedOut: { Type: 'Pass', End: true },
      },
    });
    const timeout = await execute(machine({ TimeoutSeconds: 1 }), { job: 1 });
    expect(timeout.result).toMatchObject({ status: 'SUCCEEDED', output: { job: 1, error: { Error: 'States.Timeout' } } });
    expect((timeout.result.output as { error: { Cause: string } }).error.Cause).toMatch(/TimeoutSeconds \(1\)/);
    const heartbeat = await execute(machine({ TimeoutSeconds: 30, HeartbeatSeconds: 1 }), { job: 2 });
    expect((heartbeat.result.output as { error: { Cause: string } }).error).toMatchObject({ Error: 'States.Timeout', Cause: expect.stringMatching(/HeartbeatSeconds \(1\)/) });
  });

  it("the definition's TimeoutSeconds ends the execution as TIMED_OUT", async () => {
    const { result, history } = await execute({ TimeoutSeconds: 60, StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 86400, End: true } } }, {});
    expect(result).toEqual({ status: 'TIMED_OUT', error: 'States.Timeout', cause: expect.stringMatching(/TimeoutSeconds \(60\)/) });
    expect(history.status).toBe('TIMED_OUT');
  });

  it('intrinsics and JSONata run in the sandbox (hashes, base64, UUID, random, variables)', async () => {
    const { result } = await execute(
      {
        StartAt: 'Intrinsics',
        States: {
          Intrinsics: {
            Type: 'Pass',
            Parameters: {
              'sha.$': "States.Hash($.text, 'SHA-256')",
              'md5.$': "States.Hash($.text, 'MD5')",
              'roundTrip.$': 'States.Base64Decode(States.Base64Encode($.text))',
              'uuid.$': 'States.UUID()',
              'random.$': 'States.MathRandom(1, 7)',
            },
            Assign: { 'original.$': '$.roundTrip' },
            Next: 'Jsonata',
          },
          Jsonata: {
            Type: 'Pass',
            QueryLanguage: 'JSONata',
            Output: '{% $merge([$states.input, {"upper": $uppercase($original), "words": $count($split($original, " "))}]) %}',
            End: true,
          },
        },
      },
      { text: 'héllo wörld' },
    );
    expect(result).toEqual({ status: 'SUCCEEDED', output: expect.anything() });
    const output = result.output as Record<string, unknown>;
    const { createHash } = await import('node:crypto');
    expect(output).toMatchObject({
      sha: createHash('sha256').update('héllo wörld').digest('hex'),
      md5: createHash('md5').update('héllo wörld').digest('hex'),
      roundTrip: 'héllo wörld',
      upper: 'HÉLLO WÖRLD',
      words: 2,
    });
    expect(output.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(output.random).toEqual(expect.any(Number));
  });

  it('the query shows the running state; cancelling the workflow (a stop) ends the execution ABORTED', async () => {
    const taskQueue = `asl-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: require.resolve('../../workflows/machines/workflow') });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof executeStateMachine>('executeStateMachine', {
        taskQueue,
        workflowId: `asl-${randomUUID()}`,
        args: [{ kind: 'asl', name: 'stop-me', definition: { StartAt: 'First', States: { First: { Type: 'Pass', Next: 'Nap' }, Nap: { Type: 'Wait', Seconds: 86400, End: true } } } }],
      });
      let history: ExecutionHistory | undefined;
      for (let i = 0; i < 100 && (history?.running.length ?? 0) === 0; i++) {
        history = await handle.query<ExecutionHistory>(STATE_MACHINE_MESSAGES.historyQuery);
        if (history.running.length === 0) await sleep(50);
      }
      expect(history).toMatchObject({ status: 'RUNNING', running: [{ name: 'Nap', type: 'Wait' }], states: [{ name: 'First', status: 'SUCCEEDED' }] });
      await handle.cancel();
      expect(await handle.result()).toEqual({ status: 'ABORTED' });
      const after = await handle.query<ExecutionHistory>(STATE_MACHINE_MESSAGES.historyQuery);
      expect(after).toMatchObject({ status: 'ABORTED', running: [], states: [{ name: 'First' }, { name: 'Nap', status: 'ABORTED' }] });
    });
  });

  it('a definition with an unsupported feature fails before any state runs', async () => {
    const { result, calls, history } = await execute({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'echo' }, End: true } } }, {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: expect.stringMatching(/waitForTaskToken/) });
    expect(calls).toEqual([]);
    expect(history.states).toEqual([]);
  });
});

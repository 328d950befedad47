import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  TimeoutFailure,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { LambdaActivities } from '../../runtime/lambda/envelope';
import { STATES_ERRORS, StatesError, asStatesError } from './asl/errors';
import { supportProblems } from './asl/features';
import { Interpreter, type InterpreterHost, type RunningState, type StateHistoryEntry } from './asl/interpreter';
import type { LambdaInvocation, LambdaResponse } from './asl/lambda-task';
import type { AslMachine } from './asl/types';
import { STATE_MACHINE_MESSAGES } from './names';
import type { ExecutionHistory, ExecutionStatus, StateMachineRequest, StateMachineResult } from './types';

/**
 * The one interpreter workflow for declarative definitions: a Step Functions state machine (ASL)
 * runs here unchanged, its Lambda tasks as activities, its waits and retry delays as timers.
 */

/** The status so far and each state's history with its timings. */
export const executionHistoryQuery = defineQuery<ExecutionHistory>(STATE_MACHINE_MESSAGES.historyQuery);

/** A Task without TimeoutSeconds is bounded by Lambda's own maximum (15 minutes), plus the call's overhead. */
const DEFAULT_TASK_TIMEOUT_SECONDS = 15 * 60 + 60;
/** Region and account of the ARNs in the context object, where the definition does not run on AWS itself. */
const LOCAL_ARN_PREFIX = 'arn:aws:states:us-east-1:000000000000';

/** Where a kind of definition reports its states: when one starts and when it ends. */
interface HistoryRecorder {
  entered(state: RunningState): void;
  record(entry: StateHistoryEntry): void;
}

export async function executeStateMachine(request: StateMachineRequest): Promise<StateMachineResult> {
  const states: StateHistoryEntry[] = [];
  const running = new Map<string, RunningState>();
  let status: ExecutionStatus = 'RUNNING';
  setHandler(executionHistoryQuery, () => ({ status, states, running: [...running.values()] }));
  const recorder: HistoryRecorder = {
    entered: (state) => running.set(state.name, state),
    record: (entry) => {
      running.delete(entry.name);
      states.push(entry);
    },
  };
  const result = await run(request, recorder);
  status = result.status;
  return result;
}

/** One case per kind of definition. */
function run(request: StateMachineRequest, recorder: HistoryRecorder): Promise<StateMachineResult> {
  switch (request.kind) {
    case 'asl':
      return runAsl(request, request.definition, recorder);
    default:
      return Promise.resolve({ status: 'FAILED', error: STATES_ERRORS.Runtime, cause: `unknown definition kind '${String((request as { kind?: unknown }).kind)}'` });
  }
}

async function runAsl(request: StateMachineRequest, definition: AslMachine, recorder: HistoryRecorder): Promise<StateMachineResult> {
  // Registration refuses these already; a definition started some other way is refused here, before any state runs.
  const problems = supportProblems(definition);
  if (problems.length > 0) {
    return { status: 'FAILED', error: STATES_ERRORS.Runtime, cause: problems.map((p) => `${p.state ?? ''} ${p.field}: ${p.message}`.trim()).join('; ') };
  }
  const info = workflowInfo();
  const executionName = request.executionName ?? info.workflowId;
  const interpreter = new Interpreter(temporalHost(recorder), {
    executionArn: `${LOCAL_ARN_PREFIX}:execution:${request.name}:${executionName}`,
    executionName,
    stateMachineArn: `${LOCAL_ARN_PREFIX}:stateMachine:${request.name}`,
    stateMachineName: request.name,
    startTime: new Date(info.startTime).toISOString(),
    input: request.input ?? {},
  });
  const execute = async (): Promise<StateMachineResult> => ({ status: 'SUCCEEDED', output: await interpreter.run(definition) });
  try {
    if (definition.TimeoutSeconds === undefined) return await execute();
    const timeoutMs = definition.TimeoutSeconds * 1000;
    let timedOut = false;
    return await CancellationScope.cancellable(async () => {
      const scope = CancellationScope.current();
      const timer = sleep(timeoutMs).then(() => {
        timedOut = true;
        scope.cancel();
      });
      try {
        return await execute();
      } catch (err) {
        if (timedOut) return { status: 'TIMED_OUT', error: STATES_ERRORS.Timeout, cause: `the execution ran longer than its TimeoutSeconds (${definition.TimeoutSeconds})` };
        throw err;
      } finally {
        if (!timedOut) void timer.catch(() => undefined);
      }
    });
  } catch (err) {
    if (isCancellation(err)) return { status: 'ABORTED' };
    const failure = asStatesError(err);
    return { status: 'FAILED', error: failure.error, cause: failure.cause };
  }
}

function temporalHost(recorder: HistoryRecorder): InterpreterHost {
  return {
    invokeLambda: invokeLambda,
    sleep: async (ms) => {
      if (ms > 0) await sleep(ms);
    },
    now: () => Date.now(),
    random: () => Math.random(),
    uuid: () => uuid4(),
    all: runAll,
    entered: (state) => recorder.entered(state),
    record: (entry) => recorder.record(entry),
    isCancellation,
  };
}

async function invokeLambda(call: LambdaInvocation): Promise<LambdaResponse> {
  const { invokeFunctionRaw } = proxyActivities<LambdaActivities>({
    startToCloseTimeout: `${call.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS}s`,
    ...(call.heartbeatSeconds !== undefined ? { heartbeatTimeout: `${call.heartbeatSeconds}s` } : {}),
    // Retries are the state machine's own (its Retry field), with its backoff, as in Step Functions.
    retry: { maximumAttempts: 1 },
    // Which state the activity runs, for the Temporal UI and CLI.
    summary: `${call.state}: ${call.functionName}`,
  });
  try {
    return await invokeFunctionRaw({ functionName: call.functionName, payload: call.payload, ...(call.qualifier !== undefined ? { qualifier: call.qualifier } : {}) });
  } catch (err) {
    throw statesErrorOf(err, call);
  }
}

/** An activity failure in Step Functions' terms; a cancellation stays a cancellation. */
function statesErrorOf(err: unknown, call: LambdaInvocation): unknown {
  if (isCancellation(err) || !(err instanceof ActivityFailure)) return err;
  const cause = err.cause;
  if (cause instanceof TimeoutFailure) {
    const heartbeat = cause.timeoutType === 'HEARTBEAT';
    const limit = heartbeat ? `HeartbeatSeconds (${call.heartbeatSeconds})` : `TimeoutSeconds (${call.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS})`;
    return new StatesError(STATES_ERRORS.Timeout, `the Task '${call.state}' ran past its ${limit}`, heartbeat);
  }
  if (cause instanceof ApplicationFailure) return new StatesError(cause.type ?? 'States.TaskFailed', cause.message);
  return new StatesError(STATES_ERRORS.TaskFailed, cause?.message ?? err.message);
}

/** Runs the tasks with at most `maxConcurrency` at once; the first failure cancels the others and is thrown. */
function runAll<T>(tasks: Array<() => Promise<T>>, maxConcurrency: number): Promise<T[]> {
  return CancellationScope.cancellable(async () => {
    const scope = CancellationScope.current();
    const results: T[] = new Array<T>(tasks.length);
    let failure: { error: unknown } | undefined;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (failure === undefined && next < tasks.length) {
        const index = next++;
        try {
          results[index] = await tasks[index]!();
        } catch (err) {
          if (failure === undefined) {
            failure = { error: err };
            scope.cancel();
          }
        }
      }
    };
    const lanes = maxConcurrency > 0 ? Math.min(maxConcurrency, tasks.length) : tasks.length;
    await Promise.all(Array.from({ length: lanes }, lane));
    if (failure !== undefined) throw failure.error;
    return results;
  });
}

import { StatesError } from '../../../workflows/machines/asl/errors';
import { Interpreter, type InterpreterHost, type StateHistoryEntry } from '../../../workflows/machines/asl/interpreter';
import type { LambdaInvocation } from '../../../workflows/machines/asl/lambda-task';
import type { AslMachine } from '../../../workflows/machines/asl/types';

/**
 * The interpreter with a plain host for unit tests: functions are in-process JavaScript (a thrown
 * error becomes the function's errorType, as Lambda reports it), timers advance a clock.
 */
export const ARN = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

export function harness(functions: Record<string, (payload: unknown, call: LambdaInvocation) => unknown>) {
  let clock = Date.parse('2026-12-03T12:00:00Z');
  const sleeps: number[] = [];
  const calls: LambdaInvocation[] = [];
  const history: StateHistoryEntry[] = [];
  const host: InterpreterHost = {
    invokeLambda: async (call) => {
      calls.push(call);
      const name = call.functionName.split(':').at(call.functionName.startsWith('arn:') ? 6 : 0)!;
      const fn = functions[name];
      if (fn === undefined) throw new StatesError('Lambda.ResourceNotFoundException', `Function not found: ${call.functionName}`);
      try {
        return { payload: await fn(call.payload, call), statusCode: 200, executedVersion: '$LATEST', requestId: 'req-1' };
      } catch (err) {
        const e = err as Error;
        throw new StatesError(e.name, JSON.stringify({ errorType: e.name, errorMessage: e.message }));
      }
    },
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    now: () => clock,
    random: () => 0.5,
    uuid: () => '00000000-0000-4000-8000-000000000000',
    all: async <T>(tasks: Array<() => Promise<T>>, max: number): Promise<T[]> => {
      const results = new Array<T>(tasks.length);
      let next = 0;
      let failure: unknown;
      const lane = async (): Promise<void> => {
        while (failure === undefined && next < tasks.length) {
          const i = next++;
          try {
            results[i] = await tasks[i]!();
          } catch (err) {
            failure ??= err;
          }
        }
      };
      await Promise.all(Array.from({ length: max > 0 ? Math.min(max, tasks.length) : tasks.length }, lane));
      if (failure !== undefined) throw failure as Error;
      return results;
    },
    entered: () => undefined,
    record: (entry) => history.push(entry),
    isCancellation: () => false,
  };
  const run = (definition: AslMachine, input: unknown): Promise<unknown> =>
    new Interpreter(host, {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:e',
      executionName: 'e',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
      stateMachineName: 'm',
      startTime: '2026-12-03T12:00:00.000Z',
      input,
    }).run(definition);
  return { run, sleeps, calls, history };
}

export async function failureOf(promise: Promise<unknown>): Promise<StatesError> {
  try {
    await promise;
  } catch (err) {
    return err as StatesError;
  }
  throw new Error('did not fail');
}

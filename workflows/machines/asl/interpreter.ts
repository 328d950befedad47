import { evaluateRule } from './choice';
import { asStatesError, errorMatches, isTerminalError, runtimeError, STATES_ERRORS, StatesError } from './errors';
import { evaluateTemplate, expressionOf, evaluateExpression, type StatesBinding } from './jsonata';
import { isJsonObject, jsonByteLength } from './json';
import { applyResultPath, cloneJson } from './paths';
import { applyTemplate, dynamicValue, filterPath, readField, type PathScope } from './payload';
import { parseTimestamp } from './choice';
import type { IntrinsicEnv } from './intrinsics';
import { delayBeforeRetry } from './retry';
import { lambdaCallOf, shapeLambdaResult, type LambdaInvocation, type LambdaResponse } from './lambda-task';
import type { AslMachine, AslState, Catcher, QueryLanguage } from './types';

/**
 * Runs an ASL state machine. Everything outside the definition's semantics comes through the
 * host (Lambda calls, timers, the clock, randomness, concurrency, history), so the same code runs
 * in the Temporal workflow sandbox and, with a plain host, in unit tests.
 */

export interface StateHistoryEntry {
  /** The state's name, prefixed by where it ran: `Parallel/0/Name`, `Map/3/Name`. */
  name: string;
  type: AslState['Type'];
  enteredAt: string;
  exitedAt: string;
  durationMs: number;
  /** SUCCEEDED, FAILED (the error left the state), CAUGHT (a Catch sent it on), or ABORTED (the execution was stopped or timed out while it ran). */
  status: 'SUCCEEDED' | 'FAILED' | 'CAUGHT' | 'ABORTED';
  /** How many times the state's work ran: 1 plus its retries. */
  attempts: number;
  error?: string;
  cause?: string;
}

/** A state that has started and not yet ended. */
export interface RunningState {
  name: string;
  type: AslState['Type'];
  enteredAt: string;
}

export interface InterpreterHost {
  invokeLambda(call: LambdaInvocation): Promise<LambdaResponse>;
  sleep(ms: number): Promise<void>;
  now(): number;
  random(): number;
  uuid(): string;
  /** Runs the tasks with at most `maxConcurrency` at once (0: all); the first failure fails the whole and stops the rest. */
  all<T>(tasks: Array<() => Promise<T>>, maxConcurrency: number): Promise<T[]>;
  /** A state started (its history entry follows when it ends; names are unique among running states). */
  entered(state: RunningState): void;
  record(entry: StateHistoryEntry): void;
  /** Whether an error is the host's cancellation (a stop or a timeout), which passes through every state untouched. */
  isCancellation(err: unknown): boolean;
}

export interface ExecutionInfo {
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateMachineName: string;
  startTime: string;
  input: unknown;
}

interface Frame {
  variables: Record<string, unknown>;
  prefix: string;
  language: QueryLanguage;
}

interface Step {
  output: unknown;
  next?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class Interpreter {
  /** The deterministic randomness intrinsics and JSONata functions use: the host's. */
  private readonly env: IntrinsicEnv;

  constructor(
    private readonly host: InterpreterHost,
    private readonly execution: ExecutionInfo,
  ) {
    this.env = { random: () => host.random(), uuid: () => host.uuid() };
  }

  /** Runs the definition on its input: its output, or a StatesError with the failure. */
  async run(definition: AslMachine): Promise<unknown> {
    limitSize(this.execution.input, "the execution's input");
    return this.machine(definition, cloneJson(this.execution.input), { variables: {}, prefix: '', language: definition.QueryLanguage ?? 'JSONPath' });
  }

  private async machine(machine: AslMachine, input: unknown, frame: Frame): Promise<unknown> {
    let name: string | undefined = machine.StartAt;
    let data = input;
    const language = machine.QueryLanguage ?? frame.language;
    while (name !== undefined) {
      const state: AslState | undefined = machine.States[name];
      if (state === undefined) throw runtimeError(`the state '${name}' does not exist`);
      const step = await this.state(name, state, data, { ...frame, language: state.QueryLanguage ?? language });
      limitSize(step.output, `the output of the state '${name}'`);
      data = step.output;
      name = step.next;
    }
    return data;
  }

  private context(execution: ExecutionInfo, name: string, enteredAt: number, retryCount: number): Record<string, unknown> {
    return {
      Execution: { Id: execution.executionArn, Input: execution.input, Name: execution.executionName, StartTime: execution.startTime, RedriveCount: 0 },
      State: { EnteredTime: iso(enteredAt), Name: name, RetryCount: retryCount },
      StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineName },
    };
  }

  /** One state: its work (with Retry), then Catch; records its history entry. */
  private async state(name: string, state: AslState, input: unknown, frame: Frame): Promise<Step> {
    const enteredAt = this.host.now();
    this.host.entered({ name: `${frame.prefix}${name}`, type: state.Type, enteredAt: iso(enteredAt) });
    let attempts = 0;
    const finish = (status: StateHistoryEntry['status'], failure?: StatesError): void => {
      const exitedAt = this.host.now();
      this.host.record({
        name: `${frame.prefix}${name}`,
        type: state.Type,
        enteredAt: iso(enteredAt),
        exitedAt: iso(exitedAt),
        durationMs: exitedAt - enteredAt,
        status,
        attempts,
        ...(failure ? { error: failure.error, cause: failure.cause } : {}),
      });
    };
    try {
      return await this.attempts(name, state, input, frame, enteredAt, () => ++attempts, finish);
    } catch (err) {
      if (this.host.isCancellation(err)) finish('ABORTED');
      throw err;
    }
  }

  /** The state's attempts: its work, Retry between attempts, then Catch. */
  private async attempts(
    name: string,
    state: AslState,
    input: unknown,
    frame: Frame,
    enteredAt: number,
    nextAttempt: () => number,
    finish: (status: StateHistoryEntry['status'], failure?: StatesError) => void,
  ): Promise<Step> {
    const counts = (state.Retry ?? []).map(() => 0);
    for (;;) {
      const attempts = nextAttempt();
      const context = this.context(this.execution, name, enteredAt, attempts - 1);
      try {
        const step = await this.work(name, state, input, context, frame);
        finish('SUCCEEDED');
        return step;
      } catch (err) {
        if (this.host.isCancellation(err)) throw err;
        const failure = asStatesError(err);
        if (!isTerminalError(failure)) {
          const index = (state.Retry ?? []).findIndex((r) => errorMatches(r.ErrorEquals, failure));
          const retrier = index >= 0 ? state.Retry![index]! : undefined;
          if (retrier !== undefined && counts[index]! < (retrier.MaxAttempts ?? 3)) {
            await this.host.sleep(delayBeforeRetry(retrier, counts[index]!, () => this.host.random()));
            counts[index]!++;
            continue;
          }
          const catcher = (state.Catch ?? []).find((c) => errorMatches(c.ErrorEquals, failure));
          if (catcher !== undefined) {
            let output: unknown;
            try {
              output = await this.caught(catcher, failure, input, context, frame);
            } catch (caughtErr) {
              // The catcher's own processing failed (ResultPath on a non-object...): that error leaves the state.
              const secondary = asStatesError(caughtErr);
              finish('FAILED', secondary);
              throw secondary;
            }
            finish('CAUGHT', failure);
            return { output, next: catcher.Next };
          }
        }
        finish('FAILED', failure);
        throw failure;
      }
    }
  }

  private async caught(catcher: Catcher, failure: StatesError, input: unknown, context: unknown, frame: Frame): Promise<unknown> {
    const errorOutput = { Error: failure.error, Cause: failure.cause };
    if (frame.language === 'JSONata') {
      const states: StatesBinding = { input, context, errorOutput };
      const output = catcher.Output === undefined ? errorOutput : await evaluateTemplate(catcher.Output, 'Catch.Output', states, frame.variables, this.env);
      if (catcher.Assign !== undefined) Object.assign(frame.variables, await evaluateTemplate(catcher.Assign, 'Catch.Assign', states, frame.variables, this.env));
      return output;
    }
    if (catcher.Assign !== undefined) Object.assign(frame.variables, applyTemplate(catcher.Assign, this.scope(errorOutput, context, frame), 'Catch.Assign'));
    return applyResultPath(input, catcher.ResultPath === undefined ? '$' : catcher.ResultPath, errorOutput);
  }

  private scope(input: unknown, context: unknown, frame: Frame): PathScope {
    return { input, context, variables: frame.variables, env: this.env };
  }

  private work(name: string, state: AslState, input: unknown, context: Record<string, unknown>, frame: Frame): Promise<Step> {
    return frame.language === 'JSONata' ? this.jsonataState(name, state, input, context, frame) : this.jsonPathState(name, state, input, context, frame);
  }

  private nextOf(state: AslState): string | undefined {
    return state.End === true ? undefined : state.Next;
  }

  // ---------------------------------------------------------------- JSONPath states

  private async jsonPathState(name: string, state: AslState, raw: unknown, context: Record<string, unknown>, frame: Frame): Promise<Step> {
    const input = filterPath(state.InputPath, 'InputPath', this.scope(raw, context, frame));
    const inScope = this.scope(input, context, frame);
    const finish = (result: unknown): Step => {
      const selected = state.ResultSelector !== undefined ? applyTemplate(state.ResultSelector, this.scope(result, context, frame), 'ResultSelector') : result;
      // Assign sees the state's result (after ResultSelector) and the variables as they were before this state.
      const assigned = state.Assign !== undefined ? applyTemplate(state.Assign, this.scope(selected, context, frame), 'Assign') : undefined;
      const combined = applyResultPath(raw, state.ResultPath, selected);
      const output = filterPath(state.OutputPath, 'OutputPath', this.scope(combined, context, frame));
      if (isJsonObject(assigned)) Object.assign(frame.variables, assigned);
      return { output, next: this.nextOf(state) };
    };
    const effective = (): unknown => (state.Parameters !== undefined ? applyTemplate(state.Parameters, inScope, 'Parameters') : input);

    switch (state.Type) {
      case 'Pass': {
        const value = state.Result !== undefined ? cloneJson(state.Result) : effective();
        return finish(value);
      }
      case 'Task': {
        const parameters = effective();
        const timeouts = {
          timeoutSeconds: this.seconds(state.TimeoutSeconds, state.TimeoutSecondsPath, 'TimeoutSecondsPath', inScope),
          heartbeatSeconds: this.seconds(state.HeartbeatSeconds, state.HeartbeatSecondsPath, 'HeartbeatSecondsPath', inScope),
        };
        const result = await this.task(name, state.Resource!, parameters, timeouts);
        return finish(result);
      }
      case 'Parallel': {
        const result = await this.parallel(name, state, effective(), frame);
        return finish(result);
      }
      case 'Map': {
        const items = state.ItemsPath !== undefined ? readField(state.ItemsPath, 'ItemsPath', inScope) : input;
        const maxConcurrency = state.MaxConcurrencyPath !== undefined ? this.count(readField(state.MaxConcurrencyPath, 'MaxConcurrencyPath', inScope), 'MaxConcurrencyPath') : Number(state.MaxConcurrency ?? 0);
        const selector = state.ItemSelector ?? state.Parameters;
        const result = await this.map(name, state, items, maxConcurrency, frame, (value, index) =>
          selector === undefined ? value : applyTemplate(selector, this.scope(input, { ...context, Map: { Item: { Index: index, Value: value } } }, frame), 'ItemSelector'),
        );
        return finish(result);
      }
      case 'Choice': {
        const match = (state.Choices ?? []).find((rule) => evaluateRule(rule, inScope));
        const next = match !== undefined ? (match.Next as string) : state.Default;
        if (next === undefined) throw new StatesError(STATES_ERRORS.NoChoiceMatched, `no Choice rule of '${name}' matched its input and it has no Default`);
        // A matched rule assigns its own Assign; the state's Assign goes with the Default.
        const assign = match !== undefined ? match.Assign : state.Assign;
        if (isJsonObject(assign)) Object.assign(frame.variables, applyTemplate(assign, inScope, match !== undefined ? 'Choices.Assign' : 'Assign'));
        return { output: filterPath(state.OutputPath, 'OutputPath', inScope), next };
      }
      case 'Wait': {
        await this.host.sleep(this.waitMs(state, inScope));
        if (state.Assign !== undefined) Object.assign(frame.variables, applyTemplate(state.Assign, inScope, 'Assign'));
        return { output: filterPath(state.OutputPath, 'OutputPath', inScope), next: this.nextOf(state) };
      }
      case 'Succeed':
        return { output: filterPath(state.OutputPath, 'OutputPath', inScope) };
      case 'Fail': {
        // ErrorPath and CausePath read the state's raw input, as Step Functions does.
        const rawScope = this.scope(raw, context, frame);
        const error = state.ErrorPath !== undefined ? this.text(dynamicValue(state.ErrorPath, 'ErrorPath', rawScope), 'ErrorPath') : state.Error;
        const cause = state.CausePath !== undefined ? this.text(dynamicValue(state.CausePath, 'CausePath', rawScope), 'CausePath') : state.Cause;
        throw new StatesError(error ?? '', cause ?? '');
      }
    }
  }

  private text(value: unknown, field: string): string {
    if (typeof value !== 'string') throw runtimeError(`${field} must select a string, got ${JSON.stringify(value)}`);
    return value;
  }

  private count(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw runtimeError(`${field} must select a non-negative integer, got ${JSON.stringify(value)}`);
    return value;
  }

  private seconds(literal: number | string | undefined, path: string | undefined, field: string, scope: PathScope): number | undefined {
    if (path !== undefined) {
      const value = this.count(readField(path, field, scope), field);
      if (value < 1) throw runtimeError(`${field} must select a positive integer, got ${value}`);
      return value;
    }
    return typeof literal === 'number' ? literal : undefined;
  }

  private waitMs(state: AslState, scope: PathScope): number {
    if (typeof state.Seconds === 'number') return state.Seconds * 1000;
    if (state.SecondsPath !== undefined) return this.count(readField(state.SecondsPath, 'SecondsPath', scope), 'SecondsPath') * 1000;
    const stamp = state.TimestampPath !== undefined ? readField(state.TimestampPath, 'TimestampPath', scope) : state.Timestamp;
    const at = parseTimestamp(stamp);
    if (at === undefined) throw runtimeError(`${state.TimestampPath !== undefined ? 'TimestampPath' : 'Timestamp'} must be an RFC 3339 timestamp, got ${JSON.stringify(stamp)}`);
    return Math.max(0, at - this.host.now());
  }

  // ---------------------------------------------------------------- JSONata states

  private async jsonataState(name: string, state: AslState, input: unknown, context: Record<string, unknown>, frame: Frame): Promise<Step> {
    const vars = frame.variables;
    const states: StatesBinding = { input, context };
    const finish = async (result: unknown, output: unknown): Promise<Step> => {
      const bound: StatesBinding = { input, context, result };
      const value = state.Output !== undefined ? await evaluateTemplate(state.Output, 'Output', bound, vars, this.env) : output;
      const assigned = state.Assign !== undefined ? await evaluateTemplate(state.Assign, 'Assign', bound, vars, this.env) : undefined;
      if (isJsonObject(assigned)) Object.assign(vars, assigned);
      return { output: value, next: this.nextOf(state) };
    };
    const argumentsOr = (fallback: unknown): Promise<unknown> => (state.Arguments !== undefined ? evaluateTemplate(state.Arguments, 'Arguments', states, vars, this.env) : Promise.resolve(fallback));
    const number = async (value: unknown, field: string): Promise<number | undefined> => {
      if (value === undefined) return undefined;
      const n = expressionOf(value) !== undefined ? await evaluateExpression(expressionOf(value)!, field, states, vars, this.env) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new StatesError(STATES_ERRORS.QueryEvaluationError, `${field} must be a non-negative integer, got ${JSON.stringify(n)}`);
      return n;
    };

    switch (state.Type) {
      case 'Pass':
        return finish(input, input);
      case 'Task': {
        const args = await argumentsOr(input);
        const timeouts = { timeoutSeconds: await number(state.TimeoutSeconds, 'TimeoutSeconds'), heartbeatSeconds: await number(state.HeartbeatSeconds, 'HeartbeatSeconds') };
        const result = await this.task(name, state.Resource!, args, timeouts);
        return finish(result, result);
      }
      case 'Parallel': {
        const result = await this.parallel(name, state, await argumentsOr(input), frame);
        return finish(result, result);
      }
      case 'Map': {
        const items = state.Items !== undefined ? await evaluateTemplate(state.Items, 'Items', states, vars, this.env) : input;
        const maxConcurrency = (await number(state.MaxConcurrency, 'MaxConcurrency')) ?? 0;
        const result = await this.map(name, state, items, maxConcurrency, frame, (value, index) =>
          state.ItemSelector === undefined ? value : evaluateTemplate(state.ItemSelector, 'ItemSelector', { input, context: { ...context, Map: { Item: { Index: index, Value: value } } } }, vars, this.env),
        );
        return finish(result, result);
      }
      case 'Choice': {
        let matched: Record<string, unknown> | undefined;
        for (const rule of state.Choices ?? []) {
          const holds = await evaluateTemplate(rule.Condition, 'Condition', states, vars, this.env);
          if (typeof holds !== 'boolean') throw new StatesError(STATES_ERRORS.QueryEvaluationError, `a Condition of '${name}' returned ${JSON.stringify(holds)}, not a boolean`);
          if (holds) {
            matched = rule;
            break;
          }
        }
        const next = matched !== undefined ? (matched.Next as string) : state.Default;
        if (next === undefined) throw new StatesError(STATES_ERRORS.NoChoiceMatched, `no Choice rule of '${name}' matched its input and it has no Default`);
        const source = matched ?? state;
        const output = source.Output !== undefined ? await evaluateTemplate(source.Output, 'Output', states, vars, this.env) : input;
        const assigned = source.Assign !== undefined ? await evaluateTemplate(source.Assign, 'Assign', states, vars, this.env) : undefined;
        if (isJsonObject(assigned)) Object.assign(vars, assigned);
        return { output, next };
      }
      case 'Wait': {
        const seconds = await number(state.Seconds, 'Seconds');
        let ms = seconds !== undefined ? seconds * 1000 : 0;
        if (state.Timestamp !== undefined) {
          const stamp = expressionOf(state.Timestamp) !== undefined ? await evaluateExpression(expressionOf(state.Timestamp)!, 'Timestamp', states, vars, this.env) : state.Timestamp;
          const at = parseTimestamp(stamp);
          if (at === undefined) throw new StatesError(STATES_ERRORS.QueryEvaluationError, `Timestamp must be an RFC 3339 timestamp, got ${JSON.stringify(stamp)}`);
          ms = Math.max(0, at - this.host.now());
        }
        await this.host.sleep(ms);
        return finish(input, input);
      }
      case 'Succeed':
        return { output: state.Output !== undefined ? await evaluateTemplate(state.Output, 'Output', states, vars, this.env) : input };
      case 'Fail': {
        const error = state.Error !== undefined ? await evaluateTemplate(state.Error, 'Error', states, vars, this.env) : '';
        const cause = state.Cause !== undefined ? await evaluateTemplate(state.Cause, 'Cause', states, vars, this.env) : '';
        throw new StatesError(this.text(error, 'Error'), this.text(cause, 'Cause'));
      }
    }
  }

  // ---------------------------------------------------------------- shared work

  private async task(name: string, resource: string, parameters: unknown, timeouts: { timeoutSeconds?: number; heartbeatSeconds?: number }): Promise<unknown> {
    const call = lambdaCallOf(name, resource, parameters);
    limitSize(call.invocation.payload, `the payload of the Task '${name}'`);
    const response = await this.host.invokeLambda({ ...call.invocation, ...definedOnly(timeouts) });
    limitSize(response.payload, `the result of the Task '${name}'`);
    return shapeLambdaResult(call.integration, response);
  }

  private async parallel(name: string, state: AslState, input: unknown, frame: Frame): Promise<unknown[]> {
    const branches = state.Branches ?? [];
    return this.host.all(
      branches.map((branch, index) => () =>
        this.machine(branch, cloneJson(input), { variables: { ...frame.variables }, prefix: `${frame.prefix}${name}/${index}/`, language: branch.QueryLanguage ?? frame.language }),
      ),
      0,
    );
  }

  private async map(name: string, state: AslState, items: unknown, maxConcurrency: number, frame: Frame, select: (value: unknown, index: number) => unknown): Promise<unknown[]> {
    if (!Array.isArray(items)) throw runtimeError(`the Map state's items must be an array, got ${JSON.stringify(items)}`);
    const processor = (state.ItemProcessor ?? state.Iterator)!;
    return this.host.all(
      (items as unknown[]).map((value, index) => async () => {
        const itemInput = await select(value, index);
        return this.machine(processor, cloneJson(itemInput), { variables: { ...frame.variables }, prefix: `${frame.prefix}${name}/${index}/`, language: processor.QueryLanguage ?? frame.language });
      }),
      maxConcurrency,
    );
  }
}

/** Step Functions' limit on the data a state passes on or a task sends and returns. */
export const STATE_DATA_LIMIT_BYTES = 256 * 1024;

/** States.DataLimitExceeded (which ends the execution) when `value` is over the limit. */
function limitSize(value: unknown, what: string): void {
  const bytes = jsonByteLength(value);
  if (bytes > STATE_DATA_LIMIT_BYTES) throw new StatesError(STATES_ERRORS.DataLimitExceeded, `${what} is ${bytes} bytes, over the ${STATE_DATA_LIMIT_BYTES}-byte limit`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

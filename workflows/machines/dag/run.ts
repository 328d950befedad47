import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  TimeoutFailure,
  condition,
  executeChild,
  isCancellation,
  sleep,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import { FUNCTIONS } from '../../../lambdas/catalog';
import { stepsByName, type StepDeclaration } from '../../../runtime/steps/declare';
import { step as lambdaStep } from '../../../runtime/steps/workflow';
import { acceptDecisions } from '../../lib/decisions';
import { DAG_DEFAULTS, type DagDefinition, type DagRetryPolicy, type DagStep } from './definition';
import { ExpressionError, describeError, evaluateCondition, evaluateExpression } from './expressions';
import { dagDecisionSignal, dagDecisionUpdate, type DagDecision, type DagDecisionAnswer, type StopRequest } from './messages';
import { RedriveError, defaultOutput, dependencySkips, eligibleSteps, freeSlots, initialRecords, settledOutcome, stoppedAt } from './schedule';
import { expressionDocument, type DagProgress, type DagResult, type DagStepRecord } from './state';
import { DagDefinitionError, parseDagDefinition, type DagValidationContext } from './validate';

export interface RunDagOptions {
  /** The steps of the run this one redrives (its result's `steps`): what succeeded is kept, not run again. */
  previous?: readonly DagStepRecord[];
  /** Settles when someone asks the run to stop: steps in flight are cancelled and the run ends ABORTED. */
  stop?: PromiseLike<StopRequest>;
  /** Called once with the run's live progress (updated in place), for a query handler to return. */
  onProgress?: (progress: DagProgress) => void;
  validation?: DagValidationContext;
}

type End = { status: 'TIMED_OUT' | 'ABORTED'; reason: string };

/**
 * Runs a DAG definition in the calling workflow: each step starts as soon as its dependencies have
 * settled and its `when` holds, up to `maxConcurrency` at once, as a Lambda step (an activity named
 * after the step), a child workflow or a person's decision. The run's timeout, a stop request or the
 * workflow's cancellation cancels the steps in flight (a Lambda step sees it at its next heartbeat)
 * and the result records where the run stopped. Deterministic: workflow code only.
 *
 * An invalid definition or redrive fails the workflow with a non-retryable `InvalidDagDefinition`
 * or `InvalidRedrive` listing the problems; everything a step does ends up in its record instead.
 */
export async function runDag(raw: unknown, input: unknown, options: RunDagOptions = {}): Promise<DagResult> {
  const definition = checkedDefinition(raw, options.validation);
  const records = new Map<string, DagStepRecord>();
  const order = new Map(definition.steps.map((s, i) => [s.id, i]));
  const progress: DagProgress = { status: 'RUNNING', steps: [] };
  try {
    progress.steps = initialRecords(definition, options.previous);
  } catch (err) {
    if (err instanceof RedriveError) throw ApplicationFailure.nonRetryable(err.message, err.name);
    throw err;
  }
  for (const record of progress.steps) records.set(record.id, record);
  options.onProgress?.(progress);

  const put = (record: DagStepRecord): void => {
    records.set(record.id, record);
    progress.steps[order.get(record.id)!] = record;
  };
  const now = (): number => Date.now();
  const iso = (ms: number): string => new Date(ms).toISOString();

  const waiting = new Map<string, DagDecision | undefined>();
  if (definition.steps.some((s) => s.run.type === 'decision')) registerDecisions(waiting);

  const stepsScope = new CancellationScope();
  const timerScope = new CancellationScope();
  const inflight = new Map<string, Promise<void>>();
  let ended: End | undefined;

  const start = (s: DagStep, stepInput: unknown): void => {
    const startedAt = now();
    put({ id: s.id, status: 'RUNNING', startedAt: iso(startedAt), ...(s.run.type === 'decision' ? { input: stepInput } : {}) });
    const settle = (fields: Partial<DagStepRecord>): void => {
      const endedAt = now();
      put({ ...records.get(s.id)!, ...fields, endedAt: iso(endedAt), durationMs: endedAt - startedAt });
    };
    const running = stepsScope
      .run(() => execute(s, stepInput, waiting))
      .then(
        (output) => settle({ status: 'SUCCEEDED', ...(output !== undefined ? { output } : {}) }),
        (err: unknown) => settle(isCancellation(err) ? { status: 'CANCELLED', cause: ended?.reason ?? 'the step was cancelled' } : { status: 'FAILED', ...failureOf(err) }),
      )
      .finally(() => inflight.delete(s.id));
    inflight.set(s.id, running);
  };

  /** Skips and starts what can be, until nothing changes: a skip or a failed expression can free other steps. */
  const schedule = async (): Promise<void> => {
    for (;;) {
      for (const skip of dependencySkips(definition, records)) put({ ...records.get(skip.id)!, endedAt: iso(now()) });
      const slots = freeSlots(definition, records.values());
      const candidates = ended ? [] : eligibleSteps(definition, records).slice(0, slots);
      if (candidates.length === 0) return;
      for (const s of candidates) {
        const document = expressionDocument(input, records.values());
        let field: 'when' | 'input' = 'when';
        try {
          if (s.when !== undefined && !(await evaluateCondition(s.when, document))) {
            put({ id: s.id, status: 'SKIPPED', skipReason: 'condition', cause: `when is false: ${s.when}`, endedAt: iso(now()) });
            continue;
          }
          field = 'input';
          start(s, s.input === undefined ? input : await evaluateExpression(s.input, document));
        } catch (err) {
          const message = err instanceof ExpressionError ? err.message : describeError(err);
          put({ id: s.id, status: 'FAILED', error: 'DagExpressionError', cause: `${field}: ${message}`, endedAt: iso(now()) });
        }
      }
    }
  };

  const never = new Promise<End>(() => undefined);
  const stopRequested: Promise<End> = options.stop
    ? Promise.resolve(options.stop).then(
        (r) => ({ status: 'ABORTED' as const, reason: r?.reason ? `stopped: ${r.reason}` : 'a stop was requested' }),
        // A Trigger rejects when its scope is cancelled; the workflow's cancellation is handled below.
        () => never,
      )
    : never;
  const timeoutMs = definition.timeoutSeconds === undefined ? undefined : definition.timeoutSeconds * 1000;
  const timedOut: Promise<End> =
    timeoutMs === undefined
      ? never
      : timerScope.run(() => sleep(timeoutMs)).then(
          () => ({ status: 'TIMED_OUT' as const, reason: `the run's timeout of ${definition.timeoutSeconds} s elapsed` }),
          () => never,
        );
  const workflowCancelled: Promise<End> = CancellationScope.current().cancelRequested.then(
    () => never,
    () => ({ status: 'ABORTED' as const, reason: 'the workflow was cancelled' }),
  );

  for (;;) {
    await schedule();
    if (inflight.size === 0) break;
    const stepSettled = [...inflight.values()].map((p): Promise<End | undefined> => p.then(() => undefined));
    const end = await Promise.race([...stepSettled, stopRequested, timedOut, workflowCancelled]);
    if (end) {
      ended = end;
      stepsScope.cancel();
      await Promise.all(inflight.values());
      break;
    }
  }
  timerScope.cancel();

  const steps = definition.steps.map((s) => records.get(s.id)!);
  const result = ended
    ? { status: ended.status, error: ended.status === 'TIMED_OUT' ? 'States.Timeout' : 'DagStopped', cause: `${ended.reason}; ${stoppedAt(steps)}`, steps }
    : await completed(definition, input, steps);
  progress.status = result.status;
  return result;
}

function checkedDefinition(raw: unknown, validation: DagValidationContext | undefined): DagDefinition {
  try {
    return parseDagDefinition(raw, validation);
  } catch (err) {
    if (err instanceof DagDefinitionError) throw ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true, details: [err.problems] });
    throw err;
  }
}

/** A run whose steps all settled: FAILED with its first failure, or SUCCEEDED with its output. */
async function completed(definition: DagDefinition, input: unknown, steps: DagStepRecord[]): Promise<DagResult> {
  const outcome = settledOutcome(steps);
  if (outcome.status !== 'SUCCEEDED') return { ...outcome, steps };
  if (definition.output === undefined) return { status: 'SUCCEEDED', output: defaultOutput(steps), steps };
  try {
    return { status: 'SUCCEEDED', output: await evaluateExpression(definition.output, expressionDocument(input, steps)), steps };
  } catch (err) {
    return { status: 'FAILED', error: 'DagExpressionError', cause: `output: ${describeError(err)}`, steps };
  }
}

let declarations: Map<string, StepDeclaration> | undefined;

/** What one step runs; its output, or an error whose failure the step's record keeps. */
async function execute(s: DagStep, stepInput: unknown, waiting: Map<string, DagDecision | undefined>): Promise<unknown> {
  const task = s.run;
  switch (task.type) {
    case 'lambda': {
      declarations ??= stepsByName(FUNCTIONS);
      const declaration = declarations.get(task.step)!;
      const call = lambdaStep(declaration, {
        startToCloseTimeout: (s.timeoutSeconds ?? DAG_DEFAULTS.stepTimeoutSeconds) * 1000,
        retry: retryPolicy(s.retry),
        // A stopped run ends once its Lambda steps have heard of the cancellation (at their next heartbeat), so the record says where they stopped.
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      });
      return call(stepInput);
    }
    case 'workflow': {
      const info = workflowInfo();
      return executeChild(task.workflow, {
        args: [stepInput],
        // Unique per step and per run, so a redrive's child never collides with the one it replaces.
        workflowId: `${info.workflowId}-${s.id}-${info.runId.slice(0, 8)}`,
        workflowRunTimeout: (s.timeoutSeconds ?? DAG_DEFAULTS.stepTimeoutSeconds) * 1000,
        retry: retryPolicy(s.retry),
        ...(task.taskQueue !== undefined ? { taskQueue: task.taskQueue } : {}),
      });
    }
    case 'decision':
      return decide(s, task.onTimeout ?? 'fail', waiting);
  }
}

/** A decision step: waits for a decision on this step, up to its timeout. Rejected, or no decision in time, fails it. */
async function decide(s: DagStep, onTimeout: 'fail' | 'approve', waiting: Map<string, DagDecision | undefined>): Promise<unknown> {
  const timeoutSeconds = s.timeoutSeconds ?? DAG_DEFAULTS.decisionTimeoutSeconds;
  waiting.set(s.id, undefined);
  try {
    const decided = await condition(() => waiting.get(s.id) !== undefined, timeoutSeconds * 1000);
    const decision = waiting.get(s.id);
    if (!decided || decision === undefined) {
      if (onTimeout === 'approve') return { approved: true, by: 'timeout', decidedAt: new Date(Date.now()).toISOString() };
      throw ApplicationFailure.nonRetryable(`no decision within ${timeoutSeconds} s`, 'DecisionTimedOut');
    }
    if (!decision.approved) throw ApplicationFailure.nonRetryable(`rejected${decision.by ? ` by ${decision.by}` : ''}${decision.comment ? `: ${decision.comment}` : ''}`, 'DecisionRejected');
    return { approved: true, ...(decision.by !== undefined ? { by: decision.by } : {}), ...(decision.comment !== undefined ? { comment: decision.comment } : {}), decidedAt: new Date(Date.now()).toISOString() };
  } finally {
    waiting.delete(s.id);
  }
}

/** Decisions arrive as an update (or signal) naming the step; only a step waiting for one takes it. */
function registerDecisions(waiting: Map<string, DagDecision | undefined>): void {
  acceptDecisions<DagDecision, DagDecisionAnswer>({
    name: 'dag decision',
    update: dagDecisionUpdate,
    signal: dagDecisionSignal,
    problem: (d) => {
      if (typeof d?.requestId !== 'string' || typeof d.stepId !== 'string' || typeof d.approved !== 'boolean') return 'a decision needs requestId (string), stepId (string) and approved (boolean)';
      if (!waiting.has(d.stepId)) return `step "${d.stepId}" is not waiting for a decision`;
      if (waiting.get(d.stepId) !== undefined) return `step "${d.stepId}" has been decided already`;
      return undefined;
    },
    take: (d) => {
      waiting.set(d.stepId, d);
      return { stepId: d.stepId, approved: d.approved, duplicate: false };
    },
  });
}

function retryPolicy(retry: DagRetryPolicy | undefined): RetryPolicy {
  const r = { ...DAG_DEFAULTS.retry, ...retry };
  return {
    maximumAttempts: r.maximumAttempts,
    initialInterval: r.initialIntervalSeconds * 1000,
    backoffCoefficient: r.backoffCoefficient,
    maximumInterval: r.maximumIntervalSeconds * 1000,
    ...(retry?.nonRetryableErrors ? { nonRetryableErrorTypes: retry.nonRetryableErrors } : {}),
  };
}

/** A step's failure as an error name and a message: the Lambda step's error name, the child's, or a timeout. */
function failureOf(err: unknown): { error: string; cause: string } {
  const inner = (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) && err.cause ? err.cause : err;
  if (inner instanceof ApplicationFailure) return { error: inner.type ?? 'Error', cause: inner.message };
  if (inner instanceof TimeoutFailure) return { error: 'States.Timeout', cause: `the step timed out (${inner.message || 'timeout'})` };
  if (inner instanceof Error) return { error: inner.name, cause: inner.message };
  return { error: 'Error', cause: String(inner) };
}

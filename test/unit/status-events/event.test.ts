import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ApplicationFailure, ActivityFailure, CancelledFailure, RetryState, TerminatedFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { changesOf, MAX_FAILURE_MESSAGE_CHARS, statusChangeEvent, statusChangeId, type ExecutionRecord } from '../../../runtime/status-events/event';
import { entryOf } from '../../../runtime/status-events/put-events';
import { summarizeFailure } from '../../../runtime/failure-summary';
import { WORKFLOW_STATUSES } from '../../../runtime/status-events/names';

/**
 * The mapping from Temporal's visibility records and failures to status change events, and the
 * published JSON Schema (docs/schemas/workflow-status-change.schema.json) checked against every
 * kind of event the mapping emits.
 */
const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'schemas', 'workflow-status-change.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

const started = new Date('2026-12-03T10:00:00.000Z');
const closed = new Date('2026-12-03T10:00:05.250Z');
const record = (status: string, overrides: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  type: 'orderSaga',
  workflowId: 'order/42',
  runId: '01a23d56-098e-7168-b57a-62af96bb0430',
  taskQueue: 'stepless',
  status: { name: status },
  startTime: started,
  ...(status === 'RUNNING' ? {} : { closeTime: closed }),
  ...overrides,
});
const context = { namespace: 'default', uiBaseUrl: 'http://localhost:8233/' };

describe('status change events from visibility records', () => {
  it('a running record shows its start only', () => {
    expect(changesOf(record('RUNNING')).map((c) => [c.status, c.timeMs])).toEqual([['STARTED', started.getTime()]]);
  });

  it.each([
    ['COMPLETED', 'SUCCEEDED'],
    ['FAILED', 'FAILED'],
    ['TIMED_OUT', 'TIMED_OUT'],
    ['CANCELLED', 'CANCELLED'],
    ['TERMINATED', 'TERMINATED'],
    ['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW'],
  ])('a %s record shows its start and its close as %s, at the close time', (temporalStatus, status) => {
    expect(changesOf(record(temporalStatus)).map((c) => [c.status, c.timeMs])).toEqual([['STARTED', started.getTime()], [status, closed.getTime()]]);
  });

  it('a status Temporal may add later (PAUSED) shows only the start, never an unknown close', () => {
    expect(changesOf(record('PAUSED')).map((c) => c.status)).toEqual(['STARTED']);
  });

  it('ids are <workflowId>/<runId>/<status>, stable, and parse from the right when the workflow id has slashes', () => {
    const [, close] = changesOf(record('FAILED'));
    const event = statusChangeEvent(close!, { ...context, failure: { type: 'PaymentDeclined', message: 'card declined' } });
    expect(event.id).toBe('order/42/01a23d56-098e-7168-b57a-62af96bb0430/FAILED');
    expect(event.id).toBe(statusChangeId('order/42', event.runId, 'FAILED'));
    const parts = event.id.split('/');
    expect([parts.slice(0, -2).join('/'), parts.at(-2), parts.at(-1)]).toEqual(['order/42', event.runId, 'FAILED']);
    expect(statusChangeEvent(close!, { ...context, failure: { type: 'PaymentDeclined', message: 'card declined' } })).toEqual(event);
  });

  it('a start carries no close time and no failure; a close carries both times and the UI link', () => {
    const [start, close] = changesOf(record('FAILED')).map((c) => statusChangeEvent(c, { ...context, failure: { type: 'X', message: 'y' } }));
    expect(start).toMatchObject({ status: 'STARTED', time: started.toISOString(), closeTime: null, failure: null });
    expect(close).toMatchObject({
      status: 'FAILED',
      time: closed.toISOString(),
      startTime: started.toISOString(),
      closeTime: closed.toISOString(),
      workflowType: 'orderSaga',
      failure: { type: 'X', message: 'y' },
      temporalUiUrl: 'http://localhost:8233/namespaces/default/workflows/order%2F42/01a23d56-098e-7168-b57a-62af96bb0430/history',
    });
  });

  it('a failure message longer than the limit is cut, so the entry stays under EventBridge\'s 256 KiB', () => {
    const [, close] = changesOf(record('FAILED'));
    const event = statusChangeEvent(close!, { ...context, failure: { type: 'Big', message: 'x'.repeat(300_000) } });
    expect(event.failure!.message).toHaveLength(MAX_FAILURE_MESSAGE_CHARS);
    expect(Buffer.byteLength(entryOf(event, 'bus').Detail!)).toBeLessThan(256 * 1024);
    expect(validate(event)).toBe(true);
  });

  it('without a UI address the link is null', () => {
    expect(statusChangeEvent(changesOf(record('RUNNING'))[0]!, { namespace: 'default' }).temporalUiUrl).toBeNull();
  });

  it('the EventBridge entry: source stepless, the Step Functions-like detail type, the change\'s time, the event as detail', () => {
    const event = statusChangeEvent(changesOf(record('COMPLETED'))[1]!, context);
    expect(entryOf(event, 'stepless-events')).toEqual({
      EventBusName: 'stepless-events',
      Source: 'stepless',
      DetailType: 'Workflow Execution Status Change',
      Time: closed,
      Detail: JSON.stringify(event),
    });
  });
});

describe('the published JSON Schema', () => {
  const failures: Record<string, Error> = {
    FAILED: new ActivityFailure('Activity task failed', 'chargeCard', '3', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'worker', ApplicationFailure.nonRetryable('card declined', 'PaymentDeclined')),
    TIMED_OUT: new TimeoutFailure('Workflow execution timed out', undefined, TimeoutType.START_TO_CLOSE),
    CANCELLED: new CancelledFailure('Workflow canceled'),
    TERMINATED: new TerminatedFailure('stopped by an operator'),
  };
  const temporalStatus: Record<string, string> = { SUCCEEDED: 'COMPLETED', FAILED: 'FAILED', TIMED_OUT: 'TIMED_OUT', CANCELLED: 'CANCELLED', TERMINATED: 'TERMINATED', CONTINUED_AS_NEW: 'CONTINUED_AS_NEW' };

  it.each(WORKFLOW_STATUSES.filter((s) => s !== 'STARTED'))('accepts every event the mapping emits for a %s run (start and close)', (status) => {
    const failure = failures[status] ? summarizeFailure(failures[status]) : undefined;
    for (const change of changesOf(record(temporalStatus[status]!))) {
      const event = statusChangeEvent(change, { ...context, failure });
      expect({ event: event.status, valid: validate(event), errors: validate.errors ?? null }).toEqual({ event: event.status, valid: true, errors: null });
    }
  });

  it('failure summaries name the business reason: an activity\'s cause, the termination reason, the timeout', () => {
    expect(summarizeFailure(failures.FAILED!)).toEqual({ type: 'PaymentDeclined', message: 'card declined' });
    expect(summarizeFailure(failures.TERMINATED!)).toEqual({ type: 'TerminatedFailure', message: 'stopped by an operator' });
    expect(summarizeFailure(failures.TIMED_OUT!)).toEqual({ type: 'TimeoutFailure', message: 'Workflow execution timed out' });
    expect(summarizeFailure(ApplicationFailure.create({ message: 'no type' }))).toEqual({ type: 'ApplicationFailure', message: 'no type' });
  });

  it('refuses what a consumer must never see: an unknown status, a start with a failure, a failure without a message', () => {
    const event = statusChangeEvent(changesOf(record('FAILED'))[1]!, { ...context, failure: { type: 'X', message: 'y' } });
    expect(validate({ ...event, status: 'RUNNING' })).toBe(false);
    expect(validate({ ...event, status: 'STARTED', closeTime: null })).toBe(false);
    expect(validate({ ...event, failure: { type: 'X' } })).toBe(false);
    expect(validate({ ...event, closeTime: null })).toBe(false);
    expect(validate({ ...event, extra: 1 })).toBe(false);
    expect(validate({ ...event, time: 'yesterday' })).toBe(false);
  });
});

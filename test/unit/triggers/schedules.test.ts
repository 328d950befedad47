import { checkSchedules, type ScheduleDeclaration } from '../../../runtime/schedules/declare';
import { scheduleOptions } from '../../../runtime/schedules/reconcile';
import { SCHEDULES } from '../../../workflows/schedules';

describe('schedule declarations', () => {
  const valid: ScheduleDeclaration = { id: 'nightly', workflow: 'textStatsJob', args: [{ jobId: 'n', text: 't' }], cron: ['0 2 * * *'], description: 'nightly' };

  it('the app\'s own declarations pass', () => {
    expect(checkSchedules(SCHEDULES)).toBe(SCHEDULES);
  });

  it.each<[string, Partial<ScheduleDeclaration>, RegExp]>([
    ['an id with capitals', { id: 'Nightly' }, /schedule id must be 1-64 lowercase letters/],
    ['an unregistered workflow', { workflow: 'nope' as never }, /schedule "nightly": workflow must be one of textStatsJob/],
    ['no time at all', { cron: [] }, /schedule "nightly": cron or every is required/],
    ['a cron of four fields', { cron: ['0 2 * *'] }, /schedule "nightly": cron: "0 2 \* \*" must have five fields/],
    ['an interval that is not a duration', { every: 'often' as never }, /schedule "nightly": every must be a duration such as '15 minutes'/],
    ['a zero jitter', { jitter: 0 }, /schedule "nightly": jitter must be longer than zero/],
    ['an unknown overlap policy', { overlap: 'QUEUE' as never }, /schedule "nightly": overlap must be one of SKIP, BUFFER_ONE/],
    ['no description', { description: ' ' }, /schedule "nightly": description must be a non-empty text/],
  ])('refuses %s, naming the field and the rule', (_, change, message) => {
    expect(() => checkSchedules([{ ...valid, ...change }])).toThrow(message);
  });

  it('refuses an id declared twice', () => {
    expect(() => checkSchedules([valid, { ...valid, every: '1 hour' }])).toThrow('schedule "nightly" is declared twice');
  });

  it('becomes a schedule that starts the workflow on the task queue, marked with its owner, SKIP and a 1-minute catch-up by default', () => {
    expect(scheduleOptions(valid, 'stepless')).toEqual({
      scheduleId: 'nightly',
      spec: { cronExpressions: ['0 2 * * *'] },
      action: { type: 'startWorkflow', workflowType: 'textStatsJob', args: valid.args, taskQueue: 'stepless', workflowId: 'nightly' },
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
      state: { paused: false, note: 'nightly' },
      memo: { 'stepless.declaredBy': 'stepless' },
    });
  });
});

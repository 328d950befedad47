import { compileTrigger, UnprocessableEventError, workflowIdFor } from '../../../runtime/triggers/mapping';
import { checkTriggerSpec, triggerSpecFromEnv, TRIGGER_SPEC_ENV, type TriggerSpec } from '../../../runtime/triggers/spec';
import { S3_OBJECT_KEY } from '../../../infra/constructs/triggers/sources';

/** An S3 "Object Created" event as EventBridge delivers it (the shape of docs/events.md). */
const s3Event = (key: string, version?: string) => ({
  version: '0',
  id: 'e6f4c2a0-0000-4000-8000-000000000001',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  detail: { bucket: { name: 'inbox' }, object: { key, size: 12, sequencer: '0062E99A88DC407460', ...(version ? { 'version-id': version } : {}) } },
});

const rejection = async (promise: Promise<unknown>): Promise<UnprocessableEventError> => {
  try {
    await promise;
  } catch (err) {
    if (err instanceof UnprocessableEventError) return err;
    throw err;
  }
  throw new Error('expected the mapping to fail');
};

describe('trigger declarations', () => {
  const valid: TriggerSpec = { name: 'inbox', workflow: 'textStatsJob', key: 'id', input: '{ "jobId": id, "text": detail.text }' };

  it('accepts a declaration of a registered workflow with valid expressions', () => {
    expect(checkTriggerSpec(valid)).toBe(valid);
  });

  it.each<[string, Partial<TriggerSpec> | Record<string, unknown>, RegExp]>([
    ['a name with capitals', { name: 'Inbox' }, /trigger name must be 1-40 lowercase letters/],
    ['an unregistered workflow', { workflow: 'noSuchWorkflow' as never }, /trigger "inbox": workflow must be one of textStatsJob, .*got "noSuchWorkflow"/],
    ['an input that is not JSONata', { input: '{ "a": ' }, /trigger "inbox": input is not valid JSONata: .*\(at character \d+\)/],
    ['an empty key', { key: ' ' }, /trigger "inbox": key must be a non-empty JSONata expression/],
    ['a bad workflow.from', { workflow: { from: 'a +' } }, /trigger "inbox": workflow\.from is not valid JSONata/],
    ['a prefix with a slash', { workflowIdPrefix: 'a/b' }, /trigger "inbox": workflowIdPrefix must be 1-64 letters/],
    ['both update and signal', { deliver: { update: 'u', signal: 's', args: '$' } as never }, /trigger "inbox": deliver must name exactly one of update or signal/],
    ['a bad update name', { deliver: { update: 'my update', args: '$' } }, /trigger "inbox": deliver\.update must be a handler name/],
  ])('refuses %s, naming the field and the rule', (_, change, message) => {
    expect(() => checkTriggerSpec({ ...valid, ...change })).toThrow(message);
  });

  it('reads the declaration from the environment the construct sets', () => {
    expect(triggerSpecFromEnv({ [TRIGGER_SPEC_ENV]: JSON.stringify(valid) })).toEqual(valid);
    expect(() => triggerSpecFromEnv({})).toThrow(/STEPLESS_TRIGGER is not set/);
    expect(() => triggerSpecFromEnv({ [TRIGGER_SPEC_ENV]: '{' })).toThrow(/must be the JSON of a trigger declaration/);
  });
});

describe('mapping an event', () => {
  const inbox = compileTrigger({ name: 'inbox', workflow: 'textStatsJob', key: S3_OBJECT_KEY, input: '{ "jobId": "inbox-" & detail.object."version-id", "text": detail.object.key, "key": $key }' });

  it('maps an S3 event to the workflow, an id from the object key and version, and the input', async () => {
    await expect(inbox(s3Event('incoming/a.txt', 'v1'))).resolves.toEqual({
      workflowType: 'textStatsJob',
      key: 'inbox/incoming/a.txt@v1',
      workflowId: 'inbox-inbox/incoming/a.txt@v1',
      input: { jobId: 'inbox-v1', text: 'incoming/a.txt', key: 'inbox/incoming/a.txt@v1' },
    });
  });

  it('gives the same workflow id to the same object version and different ids to different versions', async () => {
    const [a, again, b] = await Promise.all([inbox(s3Event('incoming/a.txt', 'v1')), inbox({ ...s3Event('incoming/a.txt', 'v1'), id: 'another-event-id' }), inbox(s3Event('incoming/a.txt', 'v2'))]);
    expect(again.workflowId).toBe(a.workflowId);
    expect(b.workflowId).not.toBe(a.workflowId);
  });

  it('uses the sequencer when the bucket is not versioned', async () => {
    expect((await inbox(s3Event('incoming/a.txt'))).key).toBe('inbox/incoming/a.txt@0062E99A88DC407460');
  });

  it('hashes keys that are long or not printable ASCII, so any key makes a valid id', () => {
    expect(workflowIdFor('inbox', 'a key with spaces')).toMatch(/^inbox-sha256-[0-9a-f]{64}$/);
    expect(workflowIdFor('inbox', 'x'.repeat(201))).toMatch(/^inbox-sha256-[0-9a-f]{64}$/);
    expect(workflowIdFor('inbox', 'x'.repeat(200))).toBe(`inbox-${'x'.repeat(200)}`);
  });

  const requests = compileTrigger({ name: 'workflow-requests', workflow: { from: 'workflow' }, key: 'requestId', input: '$exists(input) ? input : $error("the message has no input field")', workflowIdPrefix: 'req' });

  it('picks the workflow from the event and binds $message', async () => {
    const viaMessage = compileTrigger({ name: 'q', workflow: 'textStatsJob', key: '$message.messageId', input: '{ "jobId": $key, "text": $ }' });
    await expect(viaMessage('hello', { message: { messageId: 'm-1' } })).resolves.toMatchObject({ workflowId: 'q-m-1', input: { jobId: 'm-1', text: 'hello' } });
    await expect(requests({ workflow: 'orderProcessing', requestId: 7, input: { a: [1] } })).resolves.toMatchObject({ workflowType: 'orderProcessing', workflowId: 'req-7', input: { a: [1] } });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['an unknown workflow', { workflow: 'deleteEverything', requestId: 'r', input: {} }, 'UNKNOWN_WORKFLOW', /names the workflow "deleteEverything", which is not one of textStatsJob/],
    ['no workflow at all', { requestId: 'r', input: {} }, 'UNKNOWN_WORKFLOW', /names the workflow nothing/],
    ['a missing key', { workflow: 'textStatsJob', input: {} }, 'INVALID_KEY', /must give a non-empty string or a number, got nothing/],
    ['an object as key', { workflow: 'textStatsJob', requestId: { a: 1 }, input: {} }, 'INVALID_KEY', /got \{"a":1\}/],
    ['a failing $error', { workflow: 'textStatsJob', requestId: 'r' }, 'MAPPING_FAILED', /the input expression failed: the message has no input field/],
  ])('refuses %s with a reason for the dead-letter queue', async (_, event, reason, message) => {
    const err = await rejection(requests(event));
    expect(err.reason).toBe(reason);
    expect(err.message).toMatch(message);
  });

  it('refuses an input expression that gives nothing', async () => {
    const missing = compileTrigger({ name: 'x', workflow: 'textStatsJob', key: 'id', input: 'detail.nothing' });
    const err = await rejection(missing({ id: '1', detail: {} }));
    expect(err.reason).toBe('MAPPING_FAILED');
    expect(err.message).toMatch(/the input expression gave nothing/);
  });

  it('stops an expression that runs longer than a second', async () => {
    const endless = compileTrigger({ name: 'x', workflow: 'textStatsJob', key: 'id', input: '($f := function($n){ $n > 0 ? $f($n - 1) + $f($n - 1) : 1 }; $f(40))' });
    const err = await rejection(endless({ id: '1' }));
    expect(err.reason).toBe('MAPPING_FAILED');
    expect(err.message).toMatch(/Evaluation timeout after 1000 milliseconds.*\(D1012\)/);
  });

  it('maps the arguments of an update delivery', async () => {
    const approve = compileTrigger({ name: 'approvals', workflow: 'orderProcessing', key: 'id', workflowIdPrefix: 'order', input: '{ "orderId": detail.orderId }', deliver: { update: 'approve', args: '{ "by": detail.user, "requestId": $key }' } });
    await expect(approve({ id: 'ev-1', detail: { orderId: 'o-1', user: 'ann' } })).resolves.toMatchObject({ deliver: { kind: 'update', name: 'approve', args: { by: 'ann', requestId: 'ev-1' } } });
  });
});

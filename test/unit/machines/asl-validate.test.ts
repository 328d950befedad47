import { supportProblems } from '../../../workflows/machines/asl/features';
import type { AslMachine } from '../../../workflows/machines/asl/types';
import { describeProblems, validateDefinition } from '../../../workflows/machines/asl/validate';

/** Registration-time validation: the ASL schema (asl-validator), then what the interpreter supports. */
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:work';
const task = (extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: FN, End: true, ...extra });
const one = (state: Record<string, unknown>) => ({ StartAt: 'S', States: { S: state } });

function problemsOf(definition: unknown): string {
  const result = validateDefinition(definition);
  if (result.valid) return '';
  return describeProblems(result.problems);
}

describe('validateDefinition', () => {
  it('accepts every supported state type, in both query languages', () => {
    const definition = {
      StartAt: 'Pass',
      States: {
        Pass: { Type: 'Pass', Parameters: { 'x.$': "States.Format('{}', $.a)" }, Next: 'Task' },
        Task: task({ End: undefined, Next: 'Choice', Retry: [{ ErrorEquals: ['Busy'], JitterStrategy: 'FULL', MaxDelaySeconds: 5 }, { ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fail' }] }),
        Choice: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThanPath: '$.m', Next: 'Wait' }], Default: 'Parallel' },
        Wait: { Type: 'Wait', SecondsPath: '$.s', Next: 'Parallel' },
        Parallel: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Succeed' } } }], Next: 'Map' },
        Map: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, Next: 'Jsonata' },
        Jsonata: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.input %}', Next: 'Invoke' },
        Invoke: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'work', 'Payload.$': '$' }, Next: 'Done' },
        Done: { Type: 'Succeed' },
        Fail: { Type: 'Fail', Error: 'E', Cause: 'C' },
      },
    };
    expect(problemsOf(definition)).toBe('');
  });

  it.each<[string, unknown, RegExp]>([
    ['.waitForTaskToken', one(task({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'f' } })), /state 'S', field Resource: .*waitForTaskToken.*not supported yet/],
    ['another service', one(task({ Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: 'q', MessageBody: 'b' } })), /state 'S', field Resource: .*not supported/],
    ['a Distributed Map', one({ Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } }, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true }), /state 'S', field ItemReader: .*Distributed Map/],
    ['an unknown intrinsic', one({ Type: 'Pass', Parameters: { 'x.$': 'States.Nope($.a)' }, End: true }), /state 'S', field Parameters\.x\.\$: /],
    ['a malformed intrinsic', one({ Type: 'Pass', Parameters: { 'x.$': "States.Format('open" }, End: true }), /state 'S', field Parameters\.x\.\$: /],
    ['a bad JSONata expression', { QueryLanguage: 'JSONata', StartAt: 'S', States: { S: { Type: 'Pass', Output: '{% $states.input. %}', End: true } } }, /state 'S', field Output: /],
    ['States.ALL not last', one(task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['Busy'] }] })), /field Retry\[0\]\.ErrorEquals: a retrier with States\.ALL must be the last one/],
    ['States.ALL not alone', one(task({ Catch: [{ ErrorEquals: ['States.ALL', 'Busy'], Next: 'S' }] })), /field Catch\[0\]\.ErrorEquals: States\.ALL must be the only error name/],
    ['a lambda:invoke InvocationType Event', one(task({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f', InvocationType: 'Event' } })), /field Parameters\.InvocationType: only the RequestResponse/],
    ['a nested unsupported state', one({ Type: 'Parallel', Branches: [{ StartAt: 'In', States: { In: task({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'f' } }) } }], End: true }), /state 'S\/Branch 0\/In', field Resource/],
    ['Credentials', one(task({ Credentials: { RoleArn: 'arn:aws:iam::000000000000:role/x' } })), /field Credentials: cross-account/],
  ])('refuses %s, naming the state and the feature', (_what, definition, message) => {
    expect(problemsOf(definition)).toMatch(message);
  });

  it('what the schema lets through, the interpreter still checks (intrinsic names, JSONata syntax)', () => {
    // The workflow runs these checks too (it cannot run the schema validator), so they stand alone.
    expect(describeProblems(supportProblems(one({ Type: 'Pass', Parameters: { 'x.$': 'States.ArrayLength(States.Nope($.a))' }, End: true }) as unknown as AslMachine))).toMatch(
      /state 'S', field Parameters\.x\.\$: unknown intrinsic function\(s\) States\.Nope/,
    );
    expect(describeProblems(supportProblems({ QueryLanguage: 'JSONata', StartAt: 'S', States: { S: { Type: 'Pass', Assign: { v: '{% 1 + %}' }, End: true } } }))).toMatch(
      /state 'S', field Assign\.v: bad JSONata expression/,
    );
  });

  it('refuses what the ASL schema refuses (asl-validator), with its error code', () => {
    expect(problemsOf({ StartAt: 'Missing', States: { S: { Type: 'Pass', End: true } } })).toMatch(/MISSING_TRANSITION_TARGET|StartAt|Missing/);
    expect(problemsOf({ StartAt: 'S', States: { S: { Type: 'Pass' } } })).not.toBe('');
    expect(problemsOf([])).toMatch(/field definition/);
  });
});

import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { AslMachine } from '../../../workflows/machines/asl/types';
import { describeProblems, validateDefinition } from '../../../workflows/machines/asl/validate';
import { ARN, harness } from './plain-host';

/**
 * A state machine written with CDK's aws-stepfunctions constructs (a Chain of LambdaInvoke tasks, a
 * Map and a Choice), as teams moving off Step Functions have them: its ASL validates and runs.
 */

/** The definition as deployed: CloudFormation's partition reference resolved to `aws`. */
function resolvePartition(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolvePartition);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (Array.isArray(record['Fn::Join'])) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => (typeof p === 'string' ? p : (p as { Ref?: string }).Ref === 'AWS::Partition' ? 'aws' : JSON.stringify(p))).join(separator);
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolvePartition(v)]));
}

function cdkDefinition(): AslMachine {
  const stack = new Stack(new App(), 'Chain', { env: { account: '000000000000', region: 'us-east-1' } });
  const count = lambda.Function.fromFunctionArn(stack, 'CountFn', ARN('count'));
  const shout = lambda.Function.fromFunctionArn(stack, 'ShoutFn', ARN('shout'));
  const chain = sfn.Chain.start(
    new tasks.LambdaInvoke(stack, 'Count words', { lambdaFunction: count, resultSelector: { 'words.$': '$.Payload.words' }, resultPath: '$.stats' }),
  )
    .next(
      new sfn.Map(stack, 'Shout each', { itemsPath: '$.tags', maxConcurrency: 2, resultPath: '$.loud' }).itemProcessor(
        new tasks.LambdaInvoke(stack, 'Shout', { lambdaFunction: shout, payloadResponseOnly: true }),
      ),
    )
    .next(
      new sfn.Choice(stack, 'Long?')
        .when(sfn.Condition.numberGreaterThan('$.stats.words', 3), new sfn.Succeed(stack, 'Long'))
        .otherwise(new sfn.Fail(stack, 'Short', { error: 'TooShort', cause: 'fewer than four words' })),
    );
  const graph = new sfn.StateGraph(chain.startState, 'chain');
  return resolvePartition(stack.resolve(graph.toGraphJson())) as AslMachine;
}

describe('a CDK aws-stepfunctions chain', () => {
  const definition = cdkDefinition();

  it('is ASL this interpreter accepts (lambda:invoke with the Retry CDK adds)', () => {
    const result = validateDefinition(definition);
    expect(result.valid ? '' : describeProblems(result.problems)).toBe('');
    expect(definition.States['Count words']).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke', Retry: [expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) })] });
  });

  it('runs: Payload.$ sent as is, the Map through a function ARN, the Choice on the selected result', async () => {
    let throttled = false;
    const { run, sleeps } = harness({
      count: (payload) => {
        if (!throttled) {
          throttled = true;
          const e = new Error('Rate exceeded');
          e.name = 'Lambda.ServiceException';
          throw e;
        }
        return { words: String((payload as { text: string }).text).split(' ').length };
      },
      shout: (payload) => String(payload).toUpperCase(),
    });
    const output = await run(definition, { text: 'one two three four', tags: ['a', 'b'] });
    expect(output).toEqual({ text: 'one two three four', tags: ['a', 'b'], stats: { words: 4 }, loud: ['A', 'B'] });
    // CDK's retry on Lambda service errors: one retry after its 2 s interval.
    expect(sleeps).toEqual([2000]);
    await expect(run(definition, { text: 'one two', tags: [] })).rejects.toMatchObject({ error: 'TooShort', cause: 'fewer than four words' });
  });
});

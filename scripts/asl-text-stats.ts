import { randomUUID } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { localAwsClientConfig, temporalAddress } from '../infra/local/config';
import { readStackOutputs } from '../infra/local/deploy';
import { computeTextStats } from '../lambdas/text-stats/stats';
import { createLambdaActivities } from '../runtime/lambda/activity';
import type { AslMachine } from '../workflows/machines/asl/types';
import { validateDefinition, describeProblems } from '../workflows/machines/asl/validate';
import { STATE_MACHINE_MESSAGES } from '../workflows/machines/names';
import type { ExecutionHistory, StateMachineResult } from '../workflows/machines/types';
import type { executeStateMachine } from '../workflows/machines/workflow';
import { runMain } from './run-main';

/**
 * An ASL state machine against the REAL deployed text-stats function of the local cloud:
 * Pass (builds the function's envelope with intrinsics and the context object) → Task
 * (`lambda:invoke`, the payload sent as is) → Choice → Succeed. A second machine sends the raw
 * input, which text-stats refuses: the function's errorType reaches Catch as the error name.
 * Runs its own worker on its own task queue (read-only use of the cloud: it deploys nothing).
 *
 *   STEPLESS_STATE_DIR=/work/main/.local npx tsx scripts/asl-text-stats.ts
 */

const text = 'the quick brown fox jumps over the lazy dog and the quick cat';

function machine(functionName: string, withEnvelope: boolean): AslMachine {
  return {
    Comment: 'text-stats through Step Functions semantics',
    StartAt: 'Prepare',
    States: {
      Prepare: withEnvelope
        ? {
            Type: 'Pass',
            Parameters: {
              input: { 'jobId.$': "States.Format('asl-{}', $$.Execution.Name)", 'text.$': '$.text' },
              meta: {
                'workflowId.$': '$$.Execution.Name',
                runId: 'asl',
                activityId: 'Count',
                attempt: 1,
                'idempotencyKey.$': "States.Format('{}/asl/Count', $$.Execution.Name)",
                step: 'computeTextStats',
              },
            },
            Next: 'Count',
          }
        : { Type: 'Pass', Next: 'Count' },
      Count: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: functionName, 'Payload.$': '$' },
        ResultSelector: { 'words.$': '$.Payload.words', 'sha256.$': '$.Payload.sha256', 'status.$': '$.StatusCode' },
        ResultPath: '$.stats',
        TimeoutSeconds: 60,
        Retry: [{ ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'], IntervalSeconds: 1, MaxAttempts: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Refused' }],
        Next: 'Long?',
      },
      'Long?': { Type: 'Choice', Choices: [{ Variable: '$.stats.words', NumericGreaterThan: 10, Next: 'Long' }], Default: 'Short' },
      Long: { Type: 'Succeed', OutputPath: '$.stats' },
      Short: { Type: 'Succeed', OutputPath: '$.stats' },
      Refused: { Type: 'Succeed', OutputPath: '$.failure' },
    },
  };
}

function check(what: string, ok: boolean): void {
  console.log(`${ok ? '✓' : '✖'} ${what}`);
  if (!ok) process.exitCode = 1;
}

runMain(async () => {
  const functions = JSON.parse(readStackOutputs().WorkerFunctions) as Record<string, string>;
  const functionName = functions.textStats;
  if (functionName === undefined) throw new Error(`no textStats function among the stack's WorkerFunctions: ${Object.keys(functions).join(', ')}`);
  const taskQueue = `asl-example-${randomUUID().slice(0, 8)}`;
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('../workflows/machines/workflow'),
    activities: createLambdaActivities({ lambda: new LambdaClient({ ...localAwsClientConfig, maxAttempts: 1 }), functions: {} }),
  });
  const clientConnection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection: clientConnection });

  const run = async (definition: AslMachine): Promise<{ result: StateMachineResult; history: ExecutionHistory; workflowId: string }> => {
    const validation = validateDefinition(definition);
    if (!validation.valid) throw new Error(describeProblems(validation.problems));
    const workflowId = `asl-example-${randomUUID()}`;
    const handle = await client.workflow.start<typeof executeStateMachine>('executeStateMachine', {
      taskQueue,
      workflowId,
      args: [{ kind: 'asl', name: 'text-stats-example', definition, input: { text } }],
    });
    const result = await handle.result();
    console.log(`workflow ${workflowId}`);
    return { result, history: await handle.query<ExecutionHistory>(STATE_MACHINE_MESSAGES.historyQuery), workflowId };
  };

  await worker.runUntil(async () => {
    const started = Date.now();
    const ok = await run(machine(functionName, true));
    const wallMs = Date.now() - started;
    console.log(JSON.stringify(ok.result, null, 2));
    for (const s of ok.history.states) console.log(`  ${s.name.padEnd(10)} ${s.type.padEnd(7)} ${s.status.padEnd(9)} ${String(s.durationMs).padStart(6)} ms`);
    const expected = computeTextStats(text);
    check(`SUCCEEDED through Long with the function's own word count (${expected.words}) and hash`, ok.result.status === 'SUCCEEDED' && JSON.stringify(ok.result.output) === JSON.stringify({ words: expected.words, sha256: expected.sha256, status: 200 }));
    check('states in order Prepare → Count → Long?, Long', ok.history.states.map((s) => s.name).join(',') === 'Prepare,Count,Long?,Long');
    console.log(`  execution wall time ${wallMs} ms`);

    const refused = await run(machine(functionName, false));
    console.log(JSON.stringify(refused.result, null, 2));
    const failure = refused.result.output as { Error?: string; Cause?: string } | undefined;
    check("the raw input reaches the function as is, and its errorType is the state's error (caught)", refused.result.status === 'SUCCEEDED' && /InvalidInvocation$/.test(failure?.Error ?? '') && /envelope/.test(failure?.Cause ?? ''));
  });
  await clientConnection.close();
  await connection.close();
});

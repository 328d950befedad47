import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { localAwsClientConfig, temporalAddress } from '../../infra/local/config';
import { readStackOutputs } from '../../infra/local/deploy';
import { textStats } from '../../lambdas/text-stats/steps';
import { createStepActivities } from '../../runtime/lambda/activity';
import { runMain } from '../run-main';
import { median } from './measure';
import type { sequentialLambdaSteps } from './bench-workflow';

/**
 * Where a Lambda step's time goes (issue 11), from the history's event times and timers in the worker:
 *
 *   STEPLESS_STATE_DIR=/work/main/.local npx tsx scripts/bench/lambda-step-timeline.ts [steps] [sync|local]
 *
 * Per step, medians: workflow task completed → activity started (dispatch), the activity function's
 * own time, the Invoke call inside it, activity completed → the next workflow task completed (the
 * workflow's turn), and the direct Invoke of the same function for comparison. Reads the shared local
 * cloud's stack outputs; starts nothing but its own worker on a throwaway task queue.
 */
runMain(async () => {
  const steps = Number(process.argv[2] ?? 20);
  const mode = process.argv[3] === 'local' ? 'local' : 'sync';
  if (!Number.isInteger(steps) || steps < 1 || steps > 500) throw new Error(`steps must be a whole number from 1 to 500, got "${process.argv[2]}"`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const functionName = (JSON.parse(readStackOutputs().WorkerFunctions) as Record<string, string>).textStats!;
  const lambda = new LambdaClient(localAwsClientConfig);
  const invokeMs: number[] = [];
  // Times the HTTP exchange of every Invoke the worker makes (serialization excluded).
  lambda.middlewareStack.add(
    (next) => async (args) => {
      const t0 = performance.now();
      try {
        return await next(args);
      } finally {
        invokeMs.push(performance.now() - t0);
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'timelineInvokeTimer' },
  );
  const activityMs: number[] = [];
  const spans: Array<[number, number]> = [];
  const activities = createStepActivities({ lambda, functions: { [textStats.name]: functionName } }, Object.values(textStats.steps));
  const timedActivities = Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (input: never) => {
        const t0 = performance.now();
        try {
          return await fn(input);
        } finally {
          activityMs.push(performance.now() - t0);
          spans.push([t0, performance.now()]);
        }
      },
    ]),
  );
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const taskQueue = `timeline-${randomUUID()}`;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath: require.resolve('./bench-workflow'), activities: timedActivities });
    const client = new Client({ connection });
    const workflowId = `timeline-${randomUUID()}`;
    const wallMs = await worker.runUntil(async () => {
      await client.workflow.execute<typeof sequentialLambdaSteps>('sequentialLambdaSteps', { taskQueue, workflowId: `timeline-warm-${randomUUID()}`, args: [2, mode] });
      invokeMs.length = 0;
      activityMs.length = 0;
      spans.length = 0;
      const t0 = performance.now();
      await client.workflow.execute<typeof sequentialLambdaSteps>('sequentialLambdaSteps', { taskQueue, workflowId, args: [steps, mode] });
      return performance.now() - t0;
    });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = (history.events ?? []).map((e) => ({ type: String(e.eventType), at: tsToMs(e.eventTime) }));
    const gaps = { dispatch: [] as number[], running: [] as number[], turn: [] as number[] };
    let lastWftCompleted: number | undefined;
    let started: number | undefined;
    let completed: number | undefined;
    for (const e of events) {
      if (e.type === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED' || e.type === '7') {
        if (completed !== undefined) gaps.turn.push(e.at - completed);
        completed = undefined;
        lastWftCompleted = e.at;
      } else if (e.type === 'EVENT_TYPE_ACTIVITY_TASK_STARTED' || e.type === '11') {
        if (lastWftCompleted !== undefined) gaps.dispatch.push(e.at - lastWftCompleted);
        started = e.at;
      } else if (e.type === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED' || e.type === '12') {
        if (started !== undefined) gaps.running.push(e.at - started);
        completed = e.at;
      }
    }
    const directMs: number[] = [];
    const envelope = { input: { jobId: 'timeline', text: 'one two three four five' }, meta: { workflowId: 'timeline', runId: 'timeline', activityId: '1', attempt: 1, idempotencyKey: 'timeline/1' } };
    const direct = new LambdaClient(localAwsClientConfig);
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await direct.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(envelope)) }));
      directMs.push(performance.now() - t0);
    }
    const between = spans.slice(1).map(([start], i) => start - spans[i]![1]);
    const m = (v: number[]) => (v.length === 0 ? '-' : median(v).toFixed(1));
    console.log(`${steps} ${mode} text-stats steps: ${(wallMs / steps).toFixed(1)} ms per step (wall), direct Invoke ${m(directMs)} ms (median)`);
    console.log(`medians, ms: dispatch (wft completed → activity started) ${m(gaps.dispatch)}, activity started → completed (history) ${m(gaps.running)}`);
    console.log(`             activity function ${m(activityMs)}, its Invoke HTTP call ${m(invokeMs)}, activity completed → next wft completed ${m(gaps.turn)}`);
    console.log(`             in the worker, one step's activity function returning → the next one's starting ${m(between)}`);
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
});

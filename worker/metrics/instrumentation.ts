import { performance } from 'node:perf_hooks';
import { CompleteAsyncError } from '@temporalio/activity';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { WorkflowMetricsSinks } from '../../workflows/lib/metrics-interceptor';
import type { WorkerMetricsRecorder } from './window';

/**
 * Times every activity attempt this worker runs, and counts the attempts that throw. An attempt
 * handed off for asynchronous completion (the Lambda bridge's async mode) has not finished when
 * the function returns, so it is not recorded at all.
 */
export function activityMetricsInterceptor(recorder: WorkerMetricsRecorder): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        const startedAt = performance.now();
        try {
          const result = await next(input);
          recorder.activityAttempt(performance.now() - startedAt, false);
          return result;
        } catch (err) {
          if (!(err instanceof CompleteAsyncError)) recorder.activityAttempt(performance.now() - startedAt, true);
          throw err;
        }
      },
    },
  });
}

/**
 * The worker's end of workflows/lib/metrics-interceptor.ts. Not called while history is replayed,
 * so each run is counted once however often it is replayed.
 */
export function workflowMetricsSinks(recorder: WorkerMetricsRecorder): InjectedSinks<WorkflowMetricsSinks> {
  return {
    workflowMetrics: {
      started: { fn: (info) => recorder.workflowStarted(info.workflowType), callDuringReplay: false },
      // The execution's duration from the start of its first run (a continue-as-new chain is one execution), on the worker's clock.
      closed: { fn: (info, outcome) => recorder.workflowClosed(info.workflowType, outcome, Date.now() - new Date(info.startTime).getTime()), callDuringReplay: false },
    },
  };
}

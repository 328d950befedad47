import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context as LambdaContext } from 'aws-lambda';
import type { InvocationMeta } from '../lambda/envelope';

/**
 * What a declared function reports about each step it runs, with Powertools for AWS Lambda:
 *
 * - Logger: JSON lines with Powertools' keys (level, message, timestamp, service, cold_start,
 *   function_request_id, xray_trace_id), the workflow id as `correlation_id`, and `workflowId`,
 *   `runId`, `activityId`, `attempt` and `step` on every line of the invocation.
 * - Metrics: CloudWatch embedded metric format in the log (no PutMetricData call, nothing to wait
 *   for): `StepDuration` (ms) and `StepSucceeded` or `StepFailed` (count), in the `Stepless`
 *   namespace, by `service` (the function) and `step`.
 * - Tracer: a subsegment per step, annotated with the step and workflow id, where X-Ray tracing is
 *   on (the AWS target's `tracing` setting; off locally, where no X-Ray daemon listens).
 */
export class StepTelemetry {
  readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly tracer: Tracer;

  constructor(functionName: string) {
    this.log = new Logger({ serviceName: functionName });
    this.metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Stepless', serviceName: functionName });
    this.tracer = new Tracer({ serviceName: functionName, captureHTTPsRequests: false });
  }

  /** Starts an invocation's telemetry: the Lambda context's keys, then the call's once it is known. */
  begin(context: LambdaContext): void {
    this.log.resetKeys();
    this.log.addContext(context);
  }

  /** The workflow's ids and the step on every later line of this invocation. */
  identify(meta: InvocationMeta, step: string): void {
    const { workflowId, runId, activityId, attempt } = meta;
    this.log.setCorrelationId(workflowId);
    this.log.appendKeys({ workflowId, runId, activityId, attempt, step });
  }

  /** Runs the step in its own trace subsegment when tracing is on. */
  async traced<T>(step: string, meta: InvocationMeta, run: () => Promise<T>): Promise<T> {
    if (!this.tracer.isTracingEnabled()) return run();
    const parent = this.tracer.getSegment();
    const subsegment = parent?.addNewSubsegment(`## ${step}`);
    if (subsegment) this.tracer.setSegment(subsegment);
    this.tracer.putAnnotation('step', step);
    this.tracer.putAnnotation('workflowId', meta.workflowId);
    try {
      return await run();
    } catch (err) {
      if (err instanceof Error) subsegment?.addError(err);
      throw err;
    } finally {
      subsegment?.close();
      if (parent) this.tracer.setSegment(parent);
    }
  }

  /** Publishes the step's duration and outcome (one EMF line). */
  end(step: string | undefined, outcome: 'succeeded' | 'failed', durationMs: number): void {
    if (step !== undefined) this.metrics.addDimension('step', step);
    this.metrics.addMetric('StepDuration', MetricUnit.Milliseconds, durationMs);
    this.metrics.addMetric(outcome === 'succeeded' ? 'StepSucceeded' : 'StepFailed', MetricUnit.Count, 1);
    this.metrics.publishStoredMetrics();
  }
}

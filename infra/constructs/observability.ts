import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, TASK_QUEUE_DIMENSION, WORKFLOW_TYPE_DIMENSION, WorkerMetrics } from '../../worker/metrics/names';
import type { EcsWorker } from './ecs-worker';
import type { NodeLambda } from './node-lambda';

export interface ObservabilityProps {
  readonly stage: string;
  readonly taskQueue: string;
  readonly worker: EcsWorker;
  /** Every function, by logical name (the worker's map plus the API function). */
  readonly functions: Record<string, NodeLambda>;
  readonly api: apigateway.RestApi;
  readonly deadLetterQueue: sqs.IQueue;
  /** The backlog per worker the service scales towards; alarms fire when it stays far above. */
  readonly backlogPerTaskTarget: number;
  readonly alarmEmail?: string;
  readonly removalPolicy: RemovalPolicy;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * One CloudWatch dashboard for the whole system (workflows, activities, the worker service, the
 * functions, the API) and the alarms that should wake someone, all notifying one SNS topic.
 *
 * Alarms are for symptoms a user feels or data at risk: a workflow failed or timed out, the API
 * answers 5xx, a function errors, an asynchronous invocation was dead-lettered, no worker is running
 * or none publishes, or the backlog stays high after autoscaling had its chance. Throttles and 4xx are on the dashboard but
 * do not page: throttled steps are retried by Temporal, 4xx are the client's to fix.
 */
export class Observability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const worker = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { [TASK_QUEUE_DIMENSION]: props.taskQueue }, statistic, period: FIVE_MINUTES, label });
    const started = worker(WorkerMetrics.workflowStarted, cloudwatch.Stats.SUM, 'started');
    const completed = worker(WorkerMetrics.workflowCompleted, cloudwatch.Stats.SUM, 'completed');
    const failed = worker(WorkerMetrics.workflowFailed, cloudwatch.Stats.SUM, 'failed');
    const timedOut = worker(WorkerMetrics.workflowTimedOut, cloudwatch.Stats.SUM, 'timed out');
    const canceled = worker(WorkerMetrics.workflowCanceled, cloudwatch.Stats.SUM, 'canceled');
    const terminated = worker(WorkerMetrics.workflowTerminated, cloudwatch.Stats.SUM, 'terminated');
    // Every live worker publishes WorkflowStarted each minute, zero included: how many windows arrived says whether any worker is publishing.
    const windowsPublished = new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: WorkerMetrics.workflowStarted, dimensionsMap: { [TASK_QUEUE_DIMENSION]: props.taskQueue }, statistic: cloudwatch.Stats.SAMPLE_COUNT, period: FIVE_MINUTES });
    const duration = (p: string) => worker(WorkerMetrics.workflowDuration, p, p);
    const activityAvg = worker(WorkerMetrics.activityLatency, cloudwatch.Stats.AVERAGE, 'average');
    const activityMax = worker(WorkerMetrics.activityLatency, cloudwatch.Stats.MAXIMUM, 'maximum');
    const activityFailed = worker(WorkerMetrics.activityFailed, cloudwatch.Stats.SUM, 'failed attempts');
    const backlog = worker(WorkerMetrics.taskQueueBacklog, cloudwatch.Stats.MAXIMUM, 'backlog');
    // The metric the service scales on (ecs-worker.ts), over the dashboard's period.
    const backlogPerWorker = props.worker.backlogPerWorker.with({ period: FIVE_MINUTES, label: 'per worker' });

    const service = props.worker.service;
    const runningTasks = new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: props.worker.cluster.clusterName, ServiceName: service.serviceName },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.minutes(1),
      label: 'running tasks',
    });

    const fns = Object.entries(props.functions);
    const api = props.api;
    // This API's stage: API Gateway publishes each metric per ApiName and per ApiName + Stage, and an API name need not be unique.
    const apiStage = api.deploymentStage;

    const stack = Stack.of(this);
    // Every alarm's name starts with this, so the topic can admit exactly this stack's alarms ('.' cannot occur in a stack name).
    const alarmNamePrefix = `${stack.stackName}.`;
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromThisAccount = { 'aws:SourceAccount': stack.account };
    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: `Stepless ${props.stage} alarms`,
      enforceSSL: true,
      masterKey: new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, removalPolicy: props.removalPolicy, description: 'Stepless alarm topic' }),
    });
    // A topic policy replaces SNS's default one, so CloudWatch may publish only if it says so: for this stack's alarms, in this account.
    this.alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
      principals: [cloudWatch],
      actions: ['sns:Publish'],
      resources: [this.alarmTopic.topicArn],
      conditions: {
        StringEquals: fromThisAccount,
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${alarmNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    // CloudWatch publishes to the encrypted topic, so it must be able to use the key (on behalf of this account only).
    this.alarmTopic.masterKey?.addToResourcePolicy(new iam.PolicyStatement({
      principals: [cloudWatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: fromThisAccount },
    }));
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    /**
     * Every alarm states what missing data means for it: BREACHING where the metric comes from a
     * service that publishes while it runs (the worker, ECS), so silence is an outage; NOT_BREACHING
     * where the source publishes only when something happens (API requests, Lambda invocations).
     */
    const alarm = (id: string, metric: cloudwatch.Metric, threshold: number, description: string, missing: { treat: cloudwatch.TreatMissingData; why: string }, options: Partial<cloudwatch.CreateAlarmOptions> = {}) => {
      const a = metric.createAlarm(this, id, {
        alarmName: `${alarmNamePrefix}${id}`,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing.treat,
        alarmDescription: `${description} Missing data: ${missing.why}`,
        ...options,
      });
      a.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      a.addOkAction(new actions.SnsAction(this.alarmTopic));
      this.alarms.push(a);
      return a;
    };

    const { BREACHING, NOT_BREACHING } = cloudwatch.TreatMissingData;
    const coveredBySilence = { treat: NOT_BREACHING, why: 'not an alarm here; a worker that stops publishing raises WorkerSilent, so this alarm does not claim failures nobody saw.' };
    alarm('WorkflowFailed', failed, 1, 'A workflow execution failed: find it with `temporal workflow list --query "ExecutionStatus=\'Failed\'"` and read its failure.', coveredBySilence);
    alarm('WorkflowTimedOut', timedOut, 1, 'A workflow execution timed out (its execution or run timeout passed): `temporal workflow list --query "ExecutionStatus=\'TimedOut\'"`.', coveredBySilence);
    alarm('WorkerSilent', windowsPublished, 1, 'No worker has published metrics for 10 minutes: the workers crashed, hang, or lost access to CloudWatch; workflows may make no progress and autoscaling is blind.', {
      treat: BREACHING,
      why: 'breaching: every running worker publishes each minute (zeros included), so no data is the outage this alarm is for.',
    }, { comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 2 });
    alarm('Api5xx', apiStage.metricServerError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }), 5, `The ${props.stage} stage of this API answered 5xx at least 5 times in 5 minutes: check the API function log (npm run logs -- --source api).`, {
      treat: NOT_BREACHING,
      why: 'API Gateway publishes only for periods with requests; no requests is not an error.',
    });
    alarm('DeadLetters', props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }), 1, 'An asynchronous Lambda invocation failed all its retries and is in the dead-letter queue.', {
      treat: NOT_BREACHING,
      why: 'SQS stops publishing for a queue idle for hours; an idle dead-letter queue is the good case.',
    });
    alarm('NoWorker', runningTasks, 1, 'No worker task is running: workflows make no progress.', {
      treat: BREACHING,
      why: 'breaching: Container Insights reports a running service every minute, so no data means no tasks (or no service).',
    }, { comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3 });
    alarm('BacklogHigh', backlogPerWorker, props.backlogPerTaskTarget * 5, 'Tasks wait in the task queue at five times the scaling target for 15 minutes: the service is at its maximum size or workers are stuck.', {
      treat: BREACHING,
      why: 'breaching: the workers publish this each minute and the service scales on it; without it autoscaling cannot add workers.',
    }, { comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3 });
    for (const [name, f] of fns) {
      alarm(`${name}Errors`, f.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }), 5, `Function ${name} failed at least 5 times in 5 minutes (npm run logs -- --source ${name}).`, {
        treat: NOT_BREACHING,
        why: 'Lambda publishes only for periods with invocations; no calls is not an error.',
      });
    }

    // Per workflow type, as Step Functions shows per state machine: every type the workers published, found by a search expression.
    const perType = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${TASK_QUEUE_DIMENSION},${WORKFLOW_TYPE_DIMENSION}} MetricName="${metricName}" ${TASK_QUEUE_DIMENSION}="${props.taskQueue}"', '${statistic}', 300)`,
        label,
        period: FIVE_MINUTES,
      });

    const graph = (title: string, left: cloudwatch.IMetric[], width = 8, right: cloudwatch.IMetric[] = []) => new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.TextWidget({ markdown: `# Stepless ${props.stage}\nTask queue \`${props.taskQueue}\`. Alarms notify the SNS topic; logs: \`npm run logs -- --stack <stack>\`.`, width: 24, height: 2 }),
        ],
        [
          graph('Workflows', [started, completed, failed, timedOut, canceled, terminated]),
          graph('Activity latency (ms)', [activityAvg, activityMax], 8, [activityFailed]),
          graph('Task queue backlog', [backlog], 8, [backlogPerWorker]),
        ],
        [
          graph('Workflows failed, timed out and aborted, by type', [perType(WorkerMetrics.workflowFailed, 'Sum', 'failed'), perType(WorkerMetrics.workflowTimedOut, 'Sum', 'timed out'), perType(WorkerMetrics.workflowTerminated, 'Sum', 'terminated'), perType(WorkerMetrics.workflowCanceled, 'Sum', 'canceled')]),
          graph('Workflow duration (ms): p50, p90, p99', [duration('p50'), duration('p90'), duration('p99')]),
          graph('Workflow duration p90 (ms), by type', [perType(WorkerMetrics.workflowDuration, 'p90', 'p90')]),
        ],
        [
          graph('Worker CPU and memory (%)', [service.metricCpuUtilization({ period: Duration.minutes(1) }), service.metricMemoryUtilization({ period: Duration.minutes(1) })], 12),
          graph('Worker tasks', [runningTasks], 12),
        ],
        [
          graph('Lambda errors', fns.map(([name, f]) => f.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: name })), 12),
          graph('Lambda throttles', fns.map(([name, f]) => f.fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: name })), 12),
        ],
        [
          graph('API requests and errors', [apiStage.metricCount({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }), apiStage.metricClientError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: '4xx' }), apiStage.metricServerError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: '5xx' })], 12),
          graph('API latency (ms)', [apiStage.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }), apiStage.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' })], 6),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 6, height: 6 }),
        ],
      ],
    });
  }
}

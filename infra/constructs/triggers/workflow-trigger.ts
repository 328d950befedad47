import { join } from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { checkTriggerSpec, TRIGGER_SPEC_ENV, type TriggerSpec } from '../../../runtime/triggers/spec';
import type { Target } from '../../stacks/target';
import { NodeLambda } from '../node-lambda';
import { grantClaimChecks } from '../bucket-access';
import type { PayloadKey } from '../payload-key';
import type { TemporalAccess } from '../temporal-access';

/** What every trigger function needs from the stack to be a Temporal client. */
export interface TriggerEnvironment {
  readonly target: Target;
  readonly temporal: TemporalAccess;
  readonly taskQueue: string;
  /** Workflow inputs above the claim-check threshold travel through this bucket. */
  readonly claimCheckBucket: s3.IBucket;
  /** Set when payloads are encrypted (runtime/encryption): the function encrypts the inputs it starts workflows with. */
  readonly payloadKey?: PayloadKey;
  readonly removalPolicy: RemovalPolicy;
  /** Run in this VPC when Temporal is reachable only from inside it (as the API function does with apiInVpc). */
  readonly vpc?: ec2.IVpc;
}

export interface WorkflowTriggerProps {
  readonly spec: TriggerSpec;
  readonly environment: TriggerEnvironment;
  /** Messages per invocation, 1-10. Default 10. */
  readonly batchSize?: number;
  /** Deliveries of a message before SQS moves it to the dead-letter queue (Temporal unreachable all that time). Default 20. */
  readonly maxReceiveCount?: number;
}

const FUNCTION_TIMEOUT = Duration.seconds(30);
const handlerEntry = join(__dirname, '..', '..', '..', 'lambdas', 'trigger', 'handler.ts');

/**
 * The part every trigger shares: a queue the events arrive in, its dead-letter queue, and the
 * function that turns each message into a workflow (lambdas/trigger/handler.ts), reading batches
 * with partial batch failure. The declaration is checked here, at synth, with the rules the
 * function applies at run time.
 */
export class WorkflowTrigger extends Construct {
  readonly queue: sqs.Queue;
  /** Messages that cannot become a workflow (with the reason as attributes) and messages SQS gave up on. */
  readonly deadLetterQueue: sqs.Queue;
  readonly lambda: NodeLambda;
  readonly spec: TriggerSpec;

  constructor(scope: Construct, id: string, props: WorkflowTriggerProps) {
    super(scope, id);
    this.spec = checkTriggerSpec(props.spec);
    const batchSize = props.batchSize ?? 10;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) throw new Error(`trigger "${this.spec.name}": batchSize must be an integer 1-10, got ${batchSize}`);
    const maxReceiveCount = props.maxReceiveCount ?? 20;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) throw new Error(`trigger "${this.spec.name}": maxReceiveCount must be an integer 1-1000, got ${maxReceiveCount}`);
    const env = props.environment;
    const queueDefaults = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy: env.removalPolicy };

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...queueDefaults,
      retentionPeriod: Duration.days(4),
      // Six times the function's timeout, as AWS advises, so a batch in flight is not delivered twice meanwhile.
      visibilityTimeout: Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.lambda = new NodeLambda(this, 'Function', {
      entry: handlerEntry,
      target: env.target,
      description: `Trigger ${this.spec.name}: starts a workflow for each event (runtime/triggers)`,
      timeout: FUNCTION_TIMEOUT,
      ...(env.vpc ? { vpc: env.vpc } : {}),
      environment: {
        TASK_QUEUE: env.taskQueue,
        [TRIGGER_SPEC_ENV]: JSON.stringify(this.spec),
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
      },
    });
    const fn = this.lambda.fn;
    // A Temporal client, as the API is; each grant sets the variable naming what it grants.
    env.temporal.grantClientConnection(fn);
    grantClaimChecks(env.claimCheckBucket, fn);
    env.payloadKey?.grantCodec(fn);
    this.deadLetterQueue.grantSendMessages(fn);
    fn.addEventSource(new SqsEventSource(this.queue, { batchSize, reportBatchItemFailures: true }));
  }
}

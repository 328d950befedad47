import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface LambdaDefaultsProps {
  /** X-Ray active tracing on every function. */
  readonly tracing: boolean;
  /**
   * Where asynchronous invocations (Event, the bridge's `mode: 'async'`) that failed all their
   * retries end up. Unset (locally): Lambda's default, which drops them after two retries.
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /** Each function's log group is created with this retention. Unset: Lambda's default group, never expiring. */
  readonly logRetention?: logs.RetentionDays;
  /** Reserved concurrency applies only where the target enforces it (AWS). */
  readonly reservedConcurrency: boolean;
  readonly removalPolicy: RemovalPolicy;
}

const ID = 'LambdaDefaults';

/**
 * Settings every function of a stack shares (tracing, the dead-letter queue for asynchronous
 * invocations, log retention), set once per stack and read by each NodeLambda, so a service
 * construct describes only what is particular to its functions.
 */
export class LambdaDefaults extends Construct {
  readonly props: LambdaDefaultsProps;

  constructor(scope: Stack, props: LambdaDefaultsProps) {
    super(scope, ID);
    this.props = props;
  }

  /** The stack's defaults, or undefined if the stack declared none (functions get Lambda's defaults). */
  static of(scope: Construct): LambdaDefaults | undefined {
    return Stack.of(scope).node.tryFindChild(ID) as LambdaDefaults | undefined;
  }

  /** How long a failed asynchronous invocation is retried by Lambda before it goes to the queue. */
  static readonly MAX_EVENT_AGE = Duration.hours(6);
}

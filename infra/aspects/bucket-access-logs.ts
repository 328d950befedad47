import { type IAspect, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/**
 * Sends every bucket's S3 server access logs to one log bucket (AWS target), each under its own
 * prefix, so who read or changed a checkpoint, a claim check or an audit anchor can be traced
 * without enabling CloudTrail data events. One aspect, so a bucket added later is covered too.
 */
export class BucketAccessLogs implements IAspect {
  constructor(private readonly logBucket: s3.Bucket) {}

  visit(node: IConstruct): void {
    if (!(node instanceof s3.CfnBucket) || node === this.logBucket.node.defaultChild) return;
    if (node.loggingConfiguration !== undefined) return;
    node.loggingConfiguration = {
      destinationBucketName: this.logBucket.bucketName,
      logFilePrefix: `${Stack.of(node).getLogicalId(node)}/`,
    };
  }
}

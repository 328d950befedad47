import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Target } from '../stacks/target';
import { NodeLambda } from './node-lambda';

export interface TrainingServicesProps {
  readonly target: Target;
  /** Where datasets, model states and checkpoints live (under training/). */
  readonly bucket: s3.IBucket;
}

const lambdasDir = join(__dirname, '..', '..', 'lambdas');

/**
 * The training workflow's functions (workflows/training): one epoch of training per invocation,
 * evaluation on the held-out split, and datasets/checkpoints. Each may touch only the bucket's
 * `training/` prefix, and only in the ways it needs.
 */
export class TrainingServices extends Construct {
  readonly functions: Record<string, NodeLambda>;

  constructor(scope: Construct, id: string, props: TrainingServicesProps) {
    super(scope, id);
    const env = { TRAINING_BUCKET: props.bucket.bucketName };
    const trainEpoch = new NodeLambda(this, 'TrainEpochFunction', {
      entry: join(lambdasDir, 'train-epoch', 'handler.ts'),
      target: props.target,
      description: 'Trains a model for one epoch (MLP, SGD with momentum) on a dataset in S3; stores the new state',
      timeout: Duration.minutes(2),
      memorySize: 1024,
      environment: env,
    });
    const evaluateModel = new NodeLambda(this, 'EvaluateModelFunction', {
      entry: join(lambdasDir, 'evaluate-model', 'handler.ts'),
      target: props.target,
      description: 'Accuracy and loss of a model state on the held-out split',
      timeout: Duration.minutes(1),
      environment: env,
    });
    const trainingData = new NodeLambda(this, 'TrainingDataFunction', {
      entry: join(lambdasDir, 'training-data', 'handler.ts'),
      target: props.target,
      description: 'Generates deterministic datasets into S3; saves and resolves training checkpoints',
      timeout: Duration.minutes(1),
      environment: env,
    });

    const objects = (prefix: string) => props.bucket.arnForObjects(`training/${prefix}*`);
    const listTraining = new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['training/*'] } } });
    // train-epoch: read datasets and states, write states.
    trainEpoch.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('datasets/'), objects('state/')] }));
    trainEpoch.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects('state/')] }));
    // evaluate-model: read only.
    evaluateModel.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('datasets/'), objects('state/')] }));
    // training-data: datasets, states, and the checkpoint store (which also lists and checks for existing objects).
    trainingData.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [objects('')] }));
    trainingData.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:AbortMultipartUpload', 's3:DeleteObject'], resources: [objects('checkpoints/')] }));
    for (const f of [trainEpoch, trainingData]) f.fn.addToRolePolicy(listTraining);
    if (props.bucket.encryptionKey) {
      props.bucket.encryptionKey.grantEncryptDecrypt(trainEpoch.fn);
      props.bucket.encryptionKey.grantEncryptDecrypt(trainingData.fn);
      props.bucket.encryptionKey.grantDecrypt(evaluateModel.fn);
    }

    this.functions = { trainEpoch, evaluateModel, trainingData };
  }
}

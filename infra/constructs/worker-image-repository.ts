import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

export interface WorkerImageRepositoryProps {
  /** The stage (local, prod, ...): one repository per deployed stack. */
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
}

/** Untagged images (superseded builds, failed pushes) are deleted after this long. */
const UNTAGGED_EXPIRY = Duration.days(14);
/** Tagged images beyond this many are deleted, oldest first: enough to roll back a few releases. */
const TAGGED_IMAGES_KEPT = 50;

/**
 * The worker image's own ECR repository, for the image pipeline in docs/deploy-aws.md (build,
 * push by a tag that is never reused, deploy by digest). Tags are immutable, so a tag always
 * names the image that was tested under it; every push is scanned for known vulnerabilities.
 * Without `-c workerImage=`, `cdk deploy` still builds the Dockerfile into CDK's bootstrap
 * repository, so a first deploy needs no pipeline.
 */
export class WorkerImageRepository extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: WorkerImageRepositoryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      // ECR names are lower case; stage names may not be.
      repositoryName: `stepless-${props.stage.toLowerCase()}/worker`,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.AES_256,
      lifecycleRules: [
        { description: 'Superseded and failed pushes', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: UNTAGGED_EXPIRY, rulePriority: 1 },
        { description: 'Keep the newest tagged images for rollback', tagStatus: ecr.TagStatus.ANY, maxImageCount: TAGGED_IMAGES_KEPT, rulePriority: 2 },
      ],
      // Images are how a running service is restored: kept with the data when the stack goes.
      removalPolicy: props.removalPolicy,
      emptyOnDelete: false,
    });
    new CfnOutput(this, 'Uri', {
      value: this.repository.repositoryUri,
      description: 'Push worker images here (immutable tags), then deploy with -c workerImage=<uri>@<digest>',
    });
  }
}

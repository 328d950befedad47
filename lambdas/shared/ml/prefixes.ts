/**
 * The training data's key prefixes in the data bucket (layout in ./storage.ts), in a module of
 * their own so the CDK app can grant on them without loading the S3 client.
 */
export const CHECKPOINT_PREFIX = 'training/checkpoints/';
